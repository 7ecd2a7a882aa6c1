/** Posting the benchmark's image to a server's inspect call. */
import autocannon from 'autocannon';

export interface ImagePost {
  /** Path and query of the inspect call. */
  path: string;
  key: string;
  image: Buffer;
}

/** One autocannon run: every answered (200) request's latency, and the elapsed seconds. */
export async function postImages(url: string, post: ImagePost, connections: number, duration: number): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const cannon = autocannon(
      {
        url: `${url}${post.path}`,
        method: 'POST',
        headers: { authorization: `Bearer ${post.key}`, 'content-type': 'application/octet-stream' },
        body: post.image,
        connections,
        duration,
      },
      (error) => (error ? reject(error as Error) : resolve()),
    );
    cannon.on('response', (_client, status, _bytes, ms) => {
      if (status === 200) latencies.push(ms);
    });
  });
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

/** One post, resolved once it is answered. */
export async function postImage(url: string, post: ImagePost): Promise<void> {
  const response = await fetch(`${url}${post.path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${post.key}`, 'content-type': 'application/octet-stream' },
    body: new Uint8Array(post.image),
  });
  await response.arrayBuffer();
}
