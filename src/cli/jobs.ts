/**
 * `kensa jobs`: training jobs on a running server, through its API. `start` uploads images,
 * folders of images or zips (or names a folder on the server, for admin keys) and follows the
 * job's progress until it ends; `watch` follows a job; `cancel` stops one; `list` shows them.
 */
import { openAsBlob } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { readEvents } from '../jobs/server-sent-events.js';
import { METHODS } from '../model/manifest.js';
import { stageProgress } from './progress.js';

interface Connection {
  url: string;
  key: string;
}

interface StartOptions extends Connection {
  product: string;
  folder?: string;
  modelVersion?: string;
  method?: string;
  inputSize?: string;
  goodSet: boolean;
  watch: boolean;
}

interface JobJson {
  id: string;
  product: string;
  version: string;
  status: string;
  error: string | null;
  warnings: string[];
  modelVersion: string | null;
  source: { images: number; goodSetImages: number };
}

export function registerJobs(program: Command): void {
  const jobs = program.command('jobs').description('training jobs on a running kensa server');
  const connection = (command: Command) =>
    command
      .addOption(new Option('--url <url>', 'the server').env('KENSA_URL').default('http://localhost:8080'))
      .addOption(new Option('--key <key>', 'an API key (trainer, or admin for --folder)').env('KENSA_API_KEY').makeOptionMandatory());

  connection(jobs.command('start'))
    .description('train a new version of a product on good-part images: files, folders of them, or zips')
    .argument('[paths...]', 'images, folders (walked recursively) and zips to upload')
    .requiredOption('--product <id>', 'the product the images show')
    .option('--folder <dir>', 'train on this folder on the server instead: its absolute path there (admin key; inside the server\'s trainingRoots)')
    .option('--model-version <name>', 'the version to produce (default: a timestamp)')
    .addOption(new Option('--method <method>', 'anomaly method (default: the active version\'s)').choices(METHODS))
    .option('--input-size <n>', 'model input size in pixels')
    .option('--no-good-set', "do not train on the product's good set")
    .option('--no-watch', 'return once the job is queued')
    .action(async (paths: string[], options: StartOptions) => {
      const request = {
        product: options.product,
        version: options.modelVersion,
        method: options.method,
        inputSize: options.inputSize === undefined ? undefined : Number(options.inputSize),
        includeGoodSet: options.goodSet,
      };
      let job: JobJson;
      if (options.folder) {
        job = await call(options, 'POST', '/api/v1/jobs/from-folder', { ...request, folder: options.folder });
      } else {
        const files = (await Promise.all(paths.map(listFiles))).flat();
        if (files.length === 0) fail('give images, folders or zips to upload, or --folder');
        const form = new FormData();
        for (const file of files) form.append('images', await openAsBlob(file), path.basename(file));
        console.error(`uploading ${files.length} files`);
        const query = new URLSearchParams(Object.entries(request).flatMap(([name, value]) => (value === undefined ? [] : [[name, String(value)]])));
        job = await call(options, 'POST', `/api/v1/jobs?${query}`, form);
      }
      console.error(`job ${job.id}: ${job.product}/${job.version} on ${job.source.images} images (+${job.source.goodSetImages} from the good set), ${job.status}`);
      for (const warning of job.warnings) console.error(`warning: ${warning}`);
      if (options.watch) await watch(options, job.id);
      else console.log(job.id);
    });

  connection(jobs.command('watch'))
    .description('follow a job until it ends')
    .argument('<id>')
    .action((id: string, options: Connection) => watch(options, id));

  connection(jobs.command('cancel'))
    .description('cancel a queued or running job')
    .argument('<id>')
    .action(async (id: string, options: Connection) => {
      const job = await call<JobJson>(options, 'POST', `/api/v1/jobs/${id}/cancel`);
      console.log(`${job.id}: ${job.status}`);
    });

  connection(jobs.command('list'))
    .description('jobs, newest first')
    .option('--product <id>')
    .action(async (options: Connection & { product?: string }) => {
      const { items } = await call<{ items: JobJson[] }>(options, 'GET', `/api/v1/jobs${options.product ? `?product=${encodeURIComponent(options.product)}` : ''}`);
      for (const job of items) console.log([job.id, job.product, job.version, job.status, job.error ?? ''].join('\t'));
    });
}

/** Prints the job's progress until its final status; the exit code says whether it succeeded. */
async function watch(connection: Connection, id: string): Promise<void> {
  const response = await fetch(`${connection.url}/api/v1/jobs/${id}/events`, { headers: { authorization: `Bearer ${connection.key}` } });
  if (!response.ok || !response.body) fail(await problemText(response));
  const progress = stageProgress();
  let status = '';
  for await (const event of readEvents(response.body as unknown as AsyncIterable<Uint8Array>)) {
    const data = JSON.parse(event.data) as Record<string, unknown>;
    if (event.event === 'progress') progress.update(String(data.stage), String(data.message), Number(data.fraction));
    else if (event.event === 'warning') console.error(`warning: ${String(data.message)}`);
    else if (event.event === 'status') status = String(data.status);
  }
  progress.stop();
  const job = await call<JobJson>(connection, 'GET', `/api/v1/jobs/${id}`);
  if (status === 'succeeded') {
    console.log(`${job.product}/${job.modelVersion}: trained; compare it: GET /api/v1/models/${job.product}/${job.modelVersion}/comparison`);
  } else {
    console.error(`job ${id} ${job.status}${job.error ? `: ${job.error}` : ''}`);
    process.exitCode = 1;
  }
}

async function call<T = JobJson>(connection: Connection, method: string, route: string, body?: FormData | Record<string, unknown>): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${connection.key}` };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const response = await fetch(`${connection.url}${route}`, { method, headers, body: payload });
  if (!response.ok) fail(await problemText(response));
  return (await response.json()) as T;
}

async function problemText(response: Response): Promise<string> {
  const text = await response.text();
  try {
    const problem = JSON.parse(text) as { title?: string; detail?: string };
    return `${problem.title ?? response.statusText}: ${problem.detail ?? ''}`;
  } catch {
    return `${response.status} ${response.statusText}`;
  }
}

/** A file as itself; a folder as every visible file under it. */
async function listFiles(entry: string): Promise<string[]> {
  if (!(await stat(entry)).isDirectory()) return [entry];
  const found: string[] = [];
  for (const name of (await readdir(entry)).sort()) if (!name.startsWith('.')) found.push(...(await listFiles(path.join(entry, name))));
  return found;
}

function fail(message: string): never {
  console.error(`kensa jobs: ${message}`);
  process.exit(1);
}
