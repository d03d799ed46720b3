/**
 * Errors a route throws for what the client sent wrong. The app's error handler turns each into
 * `{error: {code, message}}` with its status; `code` is what a client branches on, `message` is for
 * a person reading a log and never carries what the client sent.
 */
import { HTTPException } from 'hono/http-exception';

export type ClientErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429;

export class ApiError extends HTTPException {
  constructor(
    status: ClientErrorStatus,
    readonly code: string,
    message: string,
  ) {
    super(status, { message });
  }
}
