/**
 * Reads a boundary layer off the page's thread: a COD-AB file of tens of megabytes takes seconds to
 * parse, check and simplify (26 MB, 300 areas of 4,000 points: 2 to 3 s in Node on the development
 * machine), and Settings should keep answering meanwhile.
 */
import { parseBoundaries } from '../domain/boundaries.ts';
// Types only: read-boundaries.ts starts this worker, and a worker bundling its own starter would nest itself.
import type { BoundaryJob } from './read-boundaries.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = async (e: MessageEvent<BoundaryJob>) => {
  const { file, name } = e.data;
  try {
    scope.postMessage(parseBoundaries(await file.text(), name, file.size));
  } catch {
    // A file the browser cannot read: the page says so.
    scope.postMessage(undefined);
  }
};
