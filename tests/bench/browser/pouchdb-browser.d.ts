/**
 * The little of PouchDB the benchmark page uses. Its own types (@types/pouchdb-*) declare a global
 * `Buffer` that breaks Node's, so they are not installed.
 */
declare module 'pouchdb-browser' {
  interface Replication {
    to(target: PouchDB, options?: { batch_size?: number }): Promise<unknown>;
    from(source: PouchDB, options?: { batch_size?: number }): Promise<unknown>;
  }
  class PouchDB {
    constructor(name: string);
    bulkDocs(docs: object[]): Promise<({ ok: true } | { error: string })[]>;
    info(): Promise<{ doc_count: number }>;
    destroy(): Promise<unknown>;
    readonly replicate: Replication;
  }
  export default PouchDB;
}
