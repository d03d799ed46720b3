/**
 * A refusal in the form the tus library answers with (its `status_code` and `body`), as an Error so
 * that it is thrown as errors are. The body is the API's error shape, `{error: {code, message}}`.
 */
export class UploadRefusal extends Error {
  readonly status_code: number;
  readonly body: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status_code = status;
    this.body = JSON.stringify({ error: { code, message } });
  }
}

/** One of the tus library's own refusals (a plain object) as an UploadRefusal. */
export function refusalOf(tus: { status_code: number; body: string }, code: string): UploadRefusal {
  return new UploadRefusal(tus.status_code, code, tus.body.trim());
}
