/**
 * Pictures served behind the API key. An <img src> cannot send the Authorization header, so the
 * picture is fetched with it (the browser's HTTP cache still applies) and shown as a blob: URL,
 * released when the component lets go of it.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/kensa-api.js';
import { useSession } from '../session/session-context.js';

export interface ObjectUrl {
  url: string | null;
  error: Error | null;
}

export function useObjectUrl(path: string | null): ObjectUrl {
  const { api } = useSession();
  const [state, setState] = useState<ObjectUrl>({ url: null, error: null });
  useEffect(() => {
    setState({ url: null, error: null });
    if (!path) return;
    const controller = new AbortController();
    let url: string | null = null;
    api.blob(path, controller.signal).then(
      (blob) => {
        url = URL.createObjectURL(blob);
        setState({ url, error: null });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ url: null, error: error instanceof Error ? error : new Error(String(error)) });
      },
    );
    return () => {
      controller.abort();
      if (url) URL.revokeObjectURL(url);
    };
  }, [api, path]);
  return state;
}

/** Why a picture is missing, in a few words. */
export function pictureProblem(error: Error): string {
  if (error instanceof ApiError && error.status === 410) return 'Removed by retention';
  return 'Not available';
}

interface AuthorizedImageProps {
  path: string;
  alt: string;
  class?: string;
}

export function AuthorizedImage({ path, alt, class: className }: AuthorizedImageProps) {
  const { url, error } = useObjectUrl(path);
  if (url) return <img class={className} src={url} alt={alt} />;
  return (
    <span class={`${className ?? ''} picture-placeholder`} role="img" aria-label={error ? `${alt}: ${pictureProblem(error)}` : `${alt}: loading`}>
      {error ? pictureProblem(error) : ''}
    </span>
  );
}
