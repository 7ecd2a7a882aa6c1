/**
 * A POST whose upload progress can be shown: fetch cannot report how much of a request body has
 * been sent, XMLHttpRequest can. The answer comes back as a Response so it is checked like any
 * other; a network failure rejects with a TypeError and an abort with an AbortError, as fetch does.
 */

export interface UploadProgress {
  /** Bytes sent so far. */
  loaded: number;
  total: number;
}

export function postWithProgress(url: string, headers: Record<string, string>, body: FormData, onProgress: (progress: UploadProgress) => void, signal: AbortSignal): Promise<Response> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', url);
    for (const [name, value] of Object.entries(headers)) request.setRequestHeader(name, value);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress({ loaded: event.loaded, total: event.total });
    };
    request.onload = () => {
      const contentType = request.getResponseHeader('content-type') ?? 'text/plain';
      resolve(new Response(request.responseText, { status: request.status, statusText: request.statusText, headers: { 'content-type': contentType } }));
    };
    request.onerror = () => reject(new TypeError('The upload failed'));
    const abort = () => request.abort();
    request.onabort = () => reject(new DOMException('The upload was cancelled', 'AbortError'));
    if (signal.aborted) return reject(new DOMException('The upload was cancelled', 'AbortError'));
    signal.addEventListener('abort', abort, { once: true });
    request.onloadend = () => signal.removeEventListener('abort', abort);
    request.send(body);
  });
}
