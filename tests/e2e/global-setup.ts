/**
 * Starts the real server for the e2e project on a fresh store, and hands its address and the new
 * store's first coordinator code to the tests through `inject(...)`.
 */
import type { TestProject } from 'vitest/node';
import { startServer } from './server-process.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the server under test listens, e.g. `http://127.0.0.1:41234`, without a trailing slash. */
    baseUrl: string;
    /**
     * The one-time code of the new store's first coordinator link. Open `${baseUrl}/enroll#code=${code}`:
     * the printed link names localhost, another origin than baseUrl's 127.0.0.1 for the browser.
     */
    firstCoordinatorCode: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startServer({ root: project.config.root });
  project.provide('baseUrl', server.baseUrl);
  project.provide('firstCoordinatorCode', server.firstCoordinatorCode);
  return () => server.stop();
}
