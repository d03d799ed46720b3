/** Starts the boundary worker on one file and hands back what it read; the worker ends with its answer. */
import type { BoundaryImport } from '../domain/boundaries.ts';

export interface BoundaryJob {
  file: Blob;
  name: string;
}

/** Rejects when the file cannot be read at all; a file read but refused resolves with its error. */
export function readBoundaries(file: Blob, name: string): Promise<BoundaryImport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./boundaries.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<BoundaryImport | undefined>) => {
      worker.terminate();
      if (e.data) resolve(e.data);
      else reject(new Error('The file could not be read'));
    };
    worker.onerror = () => {
      worker.terminate();
      reject(new Error('The boundary worker failed'));
    };
    worker.postMessage({ file, name } satisfies BoundaryJob);
  });
}
