/**
 * The op store's migrations, in code so the server needs no migration folder at run time. They run
 * at every start (Kysely's Migrator applies only the missing ones) and are valid on both dialects.
 */
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

export type StoreDialect = 'sqlite' | 'postgres';

// A migration must run the same way whatever the tables' types become later, so it is written
// against no table types at all (Kysely's own advice for migrations).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type SchemaDb = Kysely<any>;

function opStoreMigration(dialect: StoreDialect): Migration {
  // On SQLite only `integer primary key` makes seq the table's own row key (no second index);
  // on PostgreSQL `integer` is 32 bits, so the sequence number is a bigint there.
  const seqType = dialect === 'sqlite' ? 'integer' : 'bigint';
  return {
    async up(db: SchemaDb) {
      await db.schema
        .createTable('meta')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('epoch', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('counter')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('last_seq', 'bigint', (c) => c.notNull())
        .execute();
      await db.insertInto('counter').values({ id: 1, last_seq: 0 }).execute();

      await db.schema
        .createTable('ops')
        .addColumn('seq', seqType, (c) => c.primaryKey())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('v', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('report_id', 'text', (c) => c.notNull())
        .addColumn('device', 'text', (c) => c.notNull())
        .addColumn('device_seq', 'bigint', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('sig', 'text')
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('ok', 'rejected')`))
        .addColumn('reject_reason', 'text')
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('ops_device_seq_unique', ['device', 'device_seq'])
        .execute();
      // Push looks ops up by id. Not unique: an id reused by another op is kept, rejected, at that
      // op's own (device, device_seq) so the gap closes (push decides under the counter lock).
      await db.schema.createIndex('ops_id').on('ops').column('id').execute();
      // A monitor's pull: the ops of the reports it owns, after its cursor...
      await db.schema.createIndex('ops_report_seq').on('ops').columns(['report_id', 'seq']).execute();
      // ...and every deployment op after its cursor: few rows, so a small partial index.
      await db.schema
        .createIndex('ops_deployment_seq')
        .on('ops')
        .column('seq')
        .where(sql.ref('kind'), '=', sql.lit('deployment'))
        .execute();

      await db.schema
        .createTable('devices')
        .addColumn('device', 'text', (c) => c.primaryKey())
        .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('monitor', 'coordinator')`))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('revoked_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('report_owners')
        .addColumn('report_id', 'text', (c) => c.primaryKey())
        .addColumn('device', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('report_owners_device').on('report_owners').column('device').execute();

      await db.schema
        .createTable('device_progress')
        .addColumn('device', 'text', (c) => c.primaryKey())
        .addColumn('watermark', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}

/**
 * Enrollment: one-time codes (kept only as SHA-256), the public keys a device sends when it enrolls
 * (for the roster a coordinator signs), and when the first coordinator link was made, so only one
 * server process prints it, once, when the store is new.
 */
const enrollmentMigration: Migration = {
  async up(db: SchemaDb) {
    await db.schema
      .createTable('enrollment_codes')
      .addColumn('code_hash', 'text', (c) => c.primaryKey())
      .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('monitor', 'coordinator')`))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .addColumn('used_by', 'text')
      .execute();
    await db.schema.alterTable('devices').addColumn('public_keys', 'text').execute();
    await db.schema.alterTable('meta').addColumn('first_link_at', 'bigint').execute();
  },
};

/**
 * Token rotation that a lost answer cannot lock a phone out of: the new token waits beside the old
 * one until the device first uses it; only then is the old one gone.
 */
const tokenRotationMigration: Migration = {
  async up(db: SchemaDb) {
    await db.schema.alterTable('devices').addColumn('next_token_hash', 'text').execute();
    await db.schema.createIndex('devices_next_token_hash').unique().on('devices').column('next_token_hash').execute();
  },
};

/** The deployment's public key, once its first coordinator has made it: what enrollment links pin. */
const deploymentKeyMigration: Migration = {
  async up(db: SchemaDb) {
    await db.schema.alterTable('meta').addColumn('deployment_key', 'text').execute();
  },
};

/**
 * Watermark receipts: the base's own MAC key, which never leaves it, and when the epoch was last
 * renewed, so that claims of lost ops renew it at most once in a while.
 */
const receiptsMigration: Migration = {
  async up(db: SchemaDb) {
    await db.schema.alterTable('meta').addColumn('receipt_key', 'text').execute();
    await db.schema.alterTable('meta').addColumn('epoch_renewed_at', 'bigint').execute();
  },
};

/** Outer signatures: kept with each op, so devices and a rebuilt base can check who wrote it. */
const outerSignatureMigration: Migration = {
  async up(db: SchemaDb) {
    await db.schema.alterTable('ops').addColumn('osig', 'text').execute();
  },
};

/** The deployment root's public key, which the base checks the root's ops against. */
const rootKeyMigration: Migration = {
  async up(db: SchemaDb) {
    await db.schema.alterTable('meta').addColumn('root_key', 'text').execute();
  },
};

/** A revoked device's cut-off: relays of its ops above it are refused. */
const cutoffMigration: Migration = {
  async up(db: SchemaDb) {
    await db.schema.alterTable('devices').addColumn('cutoff', 'bigint').execute();
  },
};

/**
 * Each device's last contact: the UTC date (`YYYY-MM-DD`) of its last authenticated request, never a
 * time, which is all a coordinator needs to see who has gone quiet.
 */
const lastContactMigration: Migration = {
  async up(db: SchemaDb) {
    await db.schema.alterTable('devices').addColumn('last_contact', 'text').execute();
  },
};

/**
 * Each enrollment code's public id, and each device's the code it used: how a desk puts the label a
 * coordinator gave with a code (a sealed desk op the base cannot read) on the device it enrolled.
 * Kept on the device, since spent codes are deleted a month after they expire.
 */
const codeIdMigration: Migration = {
  async up(db: SchemaDb) {
    await db.schema.alterTable('enrollment_codes').addColumn('code_id', 'text').execute();
    await db.schema.createIndex('enrollment_codes_code_id').unique().on('enrollment_codes').column('code_id').execute();
    await db.schema.alterTable('devices').addColumn('enrollment_code', 'text').execute();
  },
};

/**
 * The sealed blobs an op names (the photos it adds), as its wire form lists them under the outer
 * signature: served with the op, and what an upload of a blob is held to.
 */
const blobsMigration: Migration = {
  async up(db: SchemaDb) {
    await db.schema.alterTable('ops').addColumn('blobs', 'text').execute();
  },
};

/**
 * Where photos' sealed blobs are held: which ops name which blobs (filled from the ops already
 * taken), the uploads under way, the blobs held whole, and an upload's bytes when they live in the
 * database rather than in a folder.
 */
function blobStoreMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: SchemaDb) {
      await db.schema
        .createTable('op_blobs')
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('bytes', 'bigint', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('device', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('op_blobs_sha256').on('op_blobs').columns(['sha256', 'device']).execute();
      const named = await db
        .selectFrom('ops')
        .select(['seq', 'device', 'blobs'])
        .where('blobs', 'is not', null)
        .where('status', '=', 'ok')
        .execute();
      for (const op of named as { seq: number; device: string; blobs: string }[]) {
        const blobs = JSON.parse(op.blobs) as { sha256: string; bytes: number }[];
        await db
          .insertInto('op_blobs')
          .values(blobs.map((b) => ({ sha256: b.sha256, bytes: b.bytes, seq: op.seq, device: op.device })))
          .execute();
      }
      await db.schema
        .createTable('blob_uploads')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('device', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('bytes', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('done_at', 'bigint')
        .execute();
      await db.schema
        .createTable('blobs')
        .addColumn('sha256', 'text', (c) => c.primaryKey())
        .addColumn('bytes', 'bigint', (c) => c.notNull())
        .addColumn('upload_id', 'text', (c) => c.notNull())
        .addColumn('stored_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('blob_chunks')
        .addColumn('upload_id', 'text', (c) => c.notNull())
        .addColumn('start', 'bigint', (c) => c.notNull())
        .addColumn('data', dialect === 'sqlite' ? 'blob' : 'bytea', (c) => c.notNull())
        .addPrimaryKeyConstraint('blob_chunks_pk', ['upload_id', 'start'])
        .execute();
    },
  };
}

/**
 * The body codecs each device said it opens, as a sorted list (`0,1,2`); null for one that said
 * nothing, which a writer takes to open 0 and 1 only (decision 092). The base's own device, which
 * logs command-line exports and reads no op, holds none back.
 */
const codecsMigration: Migration = {
  async up(db: SchemaDb) {
    await db.schema.alterTable('devices').addColumn('codecs', 'text').execute();
    await db.updateTable('devices').set({ codecs: '0,1,2' }).where('device', '=', 'base-cli').execute();
  },
};

export function opStoreMigrations(dialect: StoreDialect): MigrationProvider {
  return {
    getMigrations: () =>
      Promise.resolve({
        '0001_op_store': opStoreMigration(dialect),
        '0002_enrollment': enrollmentMigration,
        '0003_token_rotation': tokenRotationMigration,
        '0004_deployment_key': deploymentKeyMigration,
        '0005_receipts': receiptsMigration,
        '0006_outer_signature': outerSignatureMigration,
        '0007_root_key': rootKeyMigration,
        '0008_cutoff': cutoffMigration,
        '0009_last_contact': lastContactMigration,
        '0010_code_id': codeIdMigration,
        '0011_blobs': blobsMigration,
        '0012_blob_store': blobStoreMigration(dialect),
        '0013_codecs': codecsMigration,
      }),
  };
}

/** Applies every migration not yet applied; throws with the failing migration's error. */
export async function migrateToLatest(db: SchemaDb, dialect: StoreDialect): Promise<void> {
  const migrator = new Migrator({ db, provider: opStoreMigrations(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`op store migration ${failed} failed`, { cause: error });
  }
}
