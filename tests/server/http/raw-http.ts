/**
 * One HTTP/1.1 exchange over a raw socket, for requests fetch would never send (chunked bodies over
 * the limit, bodies cut short, stalls), read to the end of the answer and, when the answer says
 * `Connection: close`, to the end of the connection.
 */
import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  /** 0 when the connection ended without an answer. */
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
  /** The answer arrived whole: its headers and every byte of its body. */
  complete: boolean;
  /** The server closed the connection. */
  closed: boolean;
  /** ms from when `send` finished writing what it writes first to the first byte of the answer. */
  waited: number;
}

/**
 * Connects to `url`'s host and port, runs `send` (which writes what it likes, when it likes), and
 * resolves once the answer is complete and, if it says `Connection: close`, the server closed.
 */
export function exchange(url: string, send: (socket: Socket) => Promise<void> | void): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    let raw = Buffer.alloc(0);
    let sentAt = performance.now();
    let firstByteAt: number | undefined;
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve({ ...parse(raw), closed, waited: (firstByteAt ?? performance.now()) - sentAt });
    };
    const socket = connect(Number(port), hostname, () => {
      void Promise.resolve(send(socket)).then(
        () => (sentAt = performance.now()),
        () => undefined,
      );
    });
    socket.on('data', (chunk: Buffer) => {
      firstByteAt ??= performance.now();
      raw = Buffer.concat([raw, chunk]);
      const answer = parse(raw);
      if (answer.complete && answer.headers['connection'] !== 'close') finish(false);
    });
    // A write refused because the server already answered and closed is part of what is tested.
    socket.on('error', () => undefined);
    socket.on('close', () => finish(true));
  });
}

function parse(raw: Buffer): Omit<RawAnswer, 'closed' | 'waited'> {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return { status: 0, headers: {}, body: '', complete: false };
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine ?? '')?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = raw.subarray(end + 4);
  if (headers['transfer-encoding'] === 'chunked') {
    const decoded = unchunk(rest);
    return { status, headers, body: decoded?.toString('utf8') ?? '', complete: decoded !== undefined };
  }
  const length = Number(headers['content-length'] ?? 0);
  return { status, headers, body: rest.subarray(0, length).toString('utf8'), complete: rest.length >= length };
}

/** A chunked body's bytes, or undefined while its last chunk has not arrived. */
function unchunk(data: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) return undefined;
    const size = parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (size === 0) return Buffer.concat(parts);
    if (data.length < eol + 2 + size + 2) return undefined;
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

/** `data` as one chunk of a chunked body. */
export function chunk(data: Buffer | string): Buffer {
  const bytes = Buffer.from(data);
  return Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')]);
}

export const LAST_CHUNK = '0\r\n\r\n';
