/**
 * Opening sealed ops in a worker (open.worker.ts), so that the page's thread takes in one page of a
 * pull while the next one opens beside it (take-in.ts, `readAhead`): on two cores, the opening and
 * checking of a page then costs the page's thread only what it takes to hand the ops over and back.
 * Only ops that read the same anywhere go there (`opensWithKeysAlone`); the rest open on the page.
 *
 * A worker is started for one sync, when it first reads ahead, and ended with it: it holds the
 * reader's private keys, and the keys agreed with them, no longer than the sync that needs them.
 * Where there is no Worker (tests under Node), or the worker fails, the ops open on the page.
 */
import { opensWithKeysAlone } from '../../domain/op/read.ts';
import { openHere, type Opener } from './take-in.ts';
import type { OpenAnswer, OpenRequest } from './open.worker.ts';

export interface OpeningWorker {
  open: Opener;
  end(): void;
}

export function openingWorker(): OpeningWorker | undefined {
  if (typeof Worker === 'undefined') return undefined;
  let worker: Worker | undefined;
  let failed = false;
  let asked = 0;
  const waiting = new Map<number, { resolve: (a: OpenAnswer) => void; reject: (e: Error) => void }>();
  const fail = (error: Error) => {
    failed = true;
    worker?.terminate();
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };
  const started = () => {
    if (worker) return worker;
    worker = new Worker(new URL('./open.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<OpenAnswer>) => {
      waiting.get(e.data.id)?.resolve(e.data);
      waiting.delete(e.data.id);
    };
    worker.onerror = (e) => fail(new Error(e.message || 'the opening worker did not start'));
    return worker;
  };
  const ask = (request: Omit<OpenRequest, 'id'>) =>
    new Promise<OpenAnswer>((resolve, reject) => {
      const id = ++asked;
      waiting.set(id, { resolve, reject });
      started().postMessage({ ...request, id } satisfies OpenRequest);
    });

  const open: Opener = async (arrived, reader) => {
    const away = arrived.flatMap((w, i) => (opensWithKeysAlone(w) ? [i] : []));
    if (failed || !reader || away.length === 0) return openHere(arrived, reader);
    const sent = new Set(away);
    const there = ask({ ops: away.map((i) => arrived[i]), mine: reader.mine, directory: reader.directory.toPlain() })
      .then((answer) => (answer.ok ? answer.read : Promise.reject(new Error(answer.detail))))
      // A worker that failed costs time, never an op: what it was sent opens here.
      .catch(() =>
        openHere(
          away.map((i) => arrived[i]),
          reader,
        ),
      );
    const here = await openHere(
      arrived.filter((_, i) => !sent.has(i)),
      reader,
    );
    const opened = await there;
    let h = 0;
    let t = 0;
    return arrived.map((_, i) => (sent.has(i) ? opened[t++]! : here[h++]!));
  };
  // What is still being opened when the sync ends is of no use to anyone: dropped, not opened here.
  const end = () => {
    failed = true;
    worker?.terminate();
    waiting.clear();
  };
  return { open, end };
}
