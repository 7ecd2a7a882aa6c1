/** The render queue's lanes: a free slot goes to reviewers' pictures first, then thumbnails, then exports; each lane has its own bound. */
import { describe, expect, it } from 'vitest';
import { HttpProblem } from '../../src/server/problem.js';
import { RenderQueue, type RenderLane } from '../../src/server/render-queue.js';

/** A render in `lane` that logs `name` when it gets a slot and holds the slot until `finish` is called. */
function heldRender(queue: RenderQueue, lane: RenderLane, log: string[], name: string) {
  let finish!: () => void;
  const held = new Promise<void>((resolve) => (finish = resolve));
  const done = queue.run(async () => {
    log.push(name);
    await held;
  }, lane);
  return { finish: () => finish(), done };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('RenderQueue lanes', () => {
  it('serves waiting renders interactive first, then thumbnails, then background, in arrival order within a lane', async () => {
    const queue = new RenderQueue(1, { interactive: 4, thumbnail: 4, background: Infinity });
    const log: string[] = [];
    const first = heldRender(queue, 'interactive', log, 'first');
    const waiting = [
      heldRender(queue, 'background', log, 'export'),
      heldRender(queue, 'thumbnail', log, 'thumbnail 1'),
      heldRender(queue, 'interactive', log, 'overlay'),
      heldRender(queue, 'thumbnail', log, 'thumbnail 2'),
    ];
    expect(queue.waiting).toBe(4);

    first.finish();
    for (const render of [waiting[2], waiting[1], waiting[3], waiting[0]]) {
      await settle();
      expect(queue.running).toBe(1);
      render.finish();
    }
    await Promise.all([first.done, ...waiting.map((render) => render.done)]);
    expect(log).toEqual(['first', 'overlay', 'thumbnail 1', 'thumbnail 2', 'export']);
    expect([queue.running, queue.waiting]).toEqual([0, 0]);
  });

  it("refuses past a lane's own bound with 503, while the other lanes still take renders", async () => {
    const queue = new RenderQueue(1, { interactive: 1, thumbnail: 2, background: Infinity });
    const log: string[] = [];
    const renders = [heldRender(queue, 'interactive', log, 'running'), heldRender(queue, 'interactive', log, 'waiting')];
    const refused = await queue.run(async () => undefined, 'interactive').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HttpProblem);
    expect((refused as HttpProblem).status).toBe(503);

    renders.push(heldRender(queue, 'thumbnail', log, 'thumbnail 1'), heldRender(queue, 'thumbnail', log, 'thumbnail 2'));
    expect(queue.waiting).toBe(3);
    const thumbnailRefused = await queue.run(async () => undefined, 'thumbnail').catch((error: unknown) => error);
    expect((thumbnailRefused as HttpProblem).status).toBe(503);

    for (const render of renders) {
      await settle();
      render.finish();
      await render.done;
    }
    expect(log).toEqual(['running', 'waiting', 'thumbnail 1', 'thumbnail 2']);
  });
});
