// Opens tracking.db the one way every reader/writer of the store must: WAL, a busy timeout so
// the CLI, the extension and deploy supervisors wait for each other's locks, and migrated.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { openSqlite, type SqlDatabase, type SqliteDriverName } from './sqliteDriver';
import { migrate } from './migrations';

export function openStoreDatabase(path: string, options: { driver?: SqliteDriverName; busyTimeoutMs?: number } = {}): SqlDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = openSqlite(path, { driver: options.driver });
  try {
    // busy_timeout first: the journal_mode switch itself needs a lock another process may hold.
    db.exec(`PRAGMA busy_timeout = ${Math.floor(options.busyTimeoutMs ?? 5000)}`);
    db.exec('PRAGMA journal_mode = WAL');
    // WAL + NORMAL: durable across application crashes, only an OS crash may lose the last commits.
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA temp_store = MEMORY');
    db.exec('PRAGMA cache_size = -32000');
    migrate(db, path);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
