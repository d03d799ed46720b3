/**
 * The edges of HTTP below the app: what Node's parser refuses itself (headers too large or too slow,
 * a body cut short, bytes that are not HTTP) and a request body that stops arriving. Each is
 * answered as the app answers a refusal: a complete JSON error with the security headers, saying
 * `Connection: close`, since the connection can carry nothing more once a request is cut.
 *
 * The limits are idle times, not totals: a full push on a thin link takes as long as it takes, so
 * long as its bytes keep coming. Only the headers have a total, which a client that means well
 * never comes near.
 */
import { STATUS_CODES, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { securityHeaders } from './security-headers.ts';

export interface TransportLimits {
  /** From a request's first byte to the end of its headers. */
  headersTimeoutMs: number;
  /** How long a request body the server waits for may bring no byte. */
  bodyIdleTimeoutMs: number;
}

/** Node checks the headers' deadline on a timer of its own; a tenth of a limit is late enough. */
function checkEvery(limitMs: number): number {
  return Math.max(100, Math.min(1000, Math.floor(limitMs / 10)));
}

/**
 * For `http.createServer`: the headers' deadline, and no total for a request (Node's default of five
 * minutes would cut a slow push that is still moving).
 */
export function transportServerOptions(
  limits: TransportLimits,
): Pick<ServerOptions, 'headersTimeout' | 'requestTimeout' | 'connectionsCheckingInterval'> {
  return { headersTimeout: limits.headersTimeoutMs, requestTimeout: 0, connectionsCheckingInterval: checkEvery(limits.headersTimeoutMs) };
}

/**
 * How long a connection the base closes with a request body still coming keeps reading (and
 * dropping) what the client sends. Closed at once with bytes unread, the kernel answers them with a
 * reset, which can reach a client still sending before it has read the refusal; half-closed, the
 * connection lets the client read the answer and hang up.
 */
const LINGER_MS = 5000;

/** Half-closes `socket`, then closes it once the client hangs up, or after LINGER_MS. */
function closeGently(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.writable) socket.end();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.once('end', () => socket.destroy());
}

interface Refusal {
  status: 400 | 408 | 413 | 431;
  code: string;
  message: string;
}

/** What to answer for one of the parser's errors; undefined when the connection itself failed, with nobody to answer. */
function refusalFor(error: Error & { code?: string }, midRequest: boolean, limits: TransportLimits): Refusal | undefined {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        code: 'headers_timeout',
        message: `The request headers did not arrive within ${seconds(limits.headersTimeoutMs)} seconds.`,
      };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'headers_too_large', message: 'The request headers are too large.' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, code: 'too_large', message: 'The chunk extensions are too large.' };
    case 'HPE_INVALID_EOF_STATE':
      return midRequest
        ? { status: 400, code: 'body_incomplete', message: 'The request body ended early.' }
        : { status: 400, code: 'bad_request', message: 'The request ended before its headers did.' };
  }
  if (error.code?.startsWith('HPE_')) return { status: 400, code: 'bad_request', message: 'The request is not valid HTTP/1.1.' };
  return undefined;
}

function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

function rawAnswer(refusal: Refusal, headers: Record<string, string>): string {
  const body = JSON.stringify({ error: { code: refusal.code, message: refusal.message } });
  const lines = [
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Cache-Control: no-store',
    'Connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

interface Watched {
  req: IncomingMessage;
  res: ServerResponse;
  bytesRead: number;
  since: number;
}

/**
 * Answers the parser's refusals and times out stalled bodies on `server`. `now` is the clock the
 * idle time is measured on.
 */
export function guardTransport(server: Server, limits: TransportLimits, options: { tls: boolean; now?: () => number }): void {
  const now = options.now ?? (() => performance.now());
  const headers = securityHeaders(options.tls);
  const current = new WeakMap<Duplex, ServerResponse>();
  const watched = new Set<Watched>();

  const refuse = (socket: Socket, refusal: Refusal) => {
    // Written and half-closed: whatever the app still writes for this request stays in its buffer.
    socket.write(rawAnswer(refusal, headers));
    closeGently(socket);
  };

  // Node closes a connection after an answer that says `Connection: close` with destroySoon(), at
  // once; this one reads on until the client has the answer.
  server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    socket.destroySoon = () => closeGently(socket);
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    current.set(req.socket, res);
    res.once('finish', () => {
      if (current.get(req.socket) === res) current.delete(req.socket);
      // Answered with the body still coming: what comes is read and dropped, not kept for the app.
      if (!req.complete) {
        req.removeAllListeners('data');
        req.resume();
      }
    });
    if (!req.complete) watched.add({ req, res, bytesRead: req.socket.bytesRead, since: now() });
  });

  server.on('clientError', (error: Error, socket: Duplex) => {
    const res = current.get(socket);
    const refusal = refusalFor(error, res !== undefined, limits);
    if (!refusal || !socket.writable || res?.headersSent) socket.destroy();
    else refuse(socket as Socket, refusal);
  });

  const bodyTimeout: Refusal = {
    status: 408,
    code: 'body_timeout',
    message: `The request body brought nothing for ${seconds(limits.bodyIdleTimeoutMs)} seconds.`,
  };
  const every = checkEvery(limits.bodyIdleTimeoutMs);
  let lastCheck = now();
  const check = () => {
    const at = now();
    // A check that comes late found the server busy, not reading: its sockets' silence is the server's.
    const late = at - lastCheck > 2 * every;
    lastCheck = at;
    for (const entry of watched) {
      const { req, res } = entry;
      const socket: Socket = req.socket;
      if (req.complete || socket.destroyed) {
        watched.delete(entry);
        continue;
      }
      // Bytes came, or bytes wait for the app to read them: either way the client is not the one stalling.
      if (late || socket.bytesRead !== entry.bytesRead || req.readableLength > 0) {
        entry.bytesRead = socket.bytesRead;
        entry.since = at;
        continue;
      }
      if (at - entry.since < limits.bodyIdleTimeoutMs) continue;
      watched.delete(entry);
      if (res.headersSent || !socket.writable) socket.destroy();
      else refuse(socket, bodyTimeout);
    }
  };
  const timer = setInterval(check, every);
  timer.unref();
  server.once('close', () => clearInterval(timer));
}
