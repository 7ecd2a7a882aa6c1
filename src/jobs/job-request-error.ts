/**
 * Why a request about training jobs or model versions cannot be carried out, said so that the
 * person who sent it can act: too few images, files that are not images, an unsafe or empty zip,
 * a folder outside the allowed roots, a job that already ended. The HTTP layer sends these as
 * problem+json with `status`, `code` and `title`.
 */
export class JobRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail: string,
  ) {
    super(detail);
    this.name = 'JobRequestError';
  }
}
