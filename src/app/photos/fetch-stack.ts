/**
 * tus-js-client's HTTP stack over the app's own `fetch` (sync/transport.ts): one way to the base for
 * ops and photos alike, the token in a header and never in a URL, and in tests the base in the same
 * process. A request's progress is reported when its body is sent: uploads go in chunks of 256 KiB,
 * so the progress a person sees moves a chunk at a time.
 */
import type { HttpRequest, HttpResponse, HttpStack } from 'tus-js-client';
import type { Fetch } from '../sync/transport.ts';

export function fetchStack(fetch: Fetch): HttpStack {
  return { createRequest: (method, url) => new FetchRequest(fetch, method, url), getName: () => 'rasid-fetch' };
}

class FetchRequest implements HttpRequest {
  private readonly headers: Record<string, string> = {};
  private readonly controller = new AbortController();
  private onProgress: ((bytesSent: number) => void) | undefined;

  constructor(
    private readonly fetch: Fetch,
    private readonly method: string,
    private readonly url: string,
  ) {}

  getMethod(): string {
    return this.method;
  }
  getURL(): string {
    return this.url;
  }
  setHeader(header: string, value: string): void {
    this.headers[header] = value;
  }
  getHeader(header: string): string | undefined {
    return this.headers[header];
  }
  setProgressHandler(handler: (bytesSent: number) => void): void {
    this.onProgress = handler;
  }

  async send(body?: Blob | null): Promise<HttpResponse> {
    const res = await this.fetch(this.url, {
      method: this.method,
      headers: this.headers,
      body: body ?? undefined,
      signal: this.controller.signal,
    });
    const text = await res.text();
    if (body) this.onProgress?.(body.size);
    return {
      getStatus: () => res.status,
      getHeader: (name) => res.headers.get(name) ?? undefined,
      getBody: () => text,
      getUnderlyingObject: () => res,
    };
  }

  abort(): Promise<void> {
    this.controller.abort();
    return Promise.resolve();
  }

  getUnderlyingObject(): undefined {
    return undefined;
  }
}
