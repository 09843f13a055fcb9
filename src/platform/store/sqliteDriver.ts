// A tiny SQLite interface over two drivers, so the store runs wherever the extension runs.
// better-sqlite3 is fastest, but it is a native module built for one ABI: under VS Code's
// Electron, or under Node < 22 (its prebuilt binary segfaults under Node 20 — a crash no
// try/catch can stop), we must not even require it. There, Node's built-in `node:sqlite`
// (DatabaseSync) does the job.

export type SqlValue = number | string | bigint | Uint8Array | null;
export type SqlRow = Record<string, unknown>;

export interface SqlStatement {
  run(...params: SqlValue[]): { changes: number; lastInsertRowid: number | bigint };
  get(...params: SqlValue[]): SqlRow | undefined;
  all(...params: SqlValue[]): SqlRow[];
  iterate(...params: SqlValue[]): IterableIterator<SqlRow>;
}

export interface SqlDatabase {
  readonly driverName: SqliteDriverName;
  prepare(sql: string): SqlStatement;
  exec(sql: string): void;
  /** Runs fn inside BEGIN/COMMIT (ROLLBACK on throw). Nested calls join the outer transaction. */
  transaction<T>(fn: () => T): T;
  close(): void;
}

export type SqliteDriverName = 'better-sqlite3' | 'node:sqlite';

export interface OpenSqliteOptions {
  readonly?: boolean;
  /** Force one driver (tests run the store against both). Default: pick as described above. */
  driver?: SqliteDriverName;
}

/** Why better-sqlite3 is skipped here, or undefined when it may be tried. */
export function betterSqliteSkipReason(versions: NodeJS.ProcessVersions = process.versions): string | undefined {
  if ((versions as Record<string, string | undefined>).electron) return 'running inside Electron (VS Code desktop), whose ABI differs from the prebuilt binary';
  const major = Number(versions.node.split('.')[0]);
  if (!(major >= 22)) return `Node ${versions.node} < 22 (the prebuilt better-sqlite3 binary crashes there)`;
  return undefined;
}

export function openSqlite(path: string, options: OpenSqliteOptions = {}): SqlDatabase {
  const wanted = options.driver ?? (process.env.MODELCLOUD_SQLITE_DRIVER as SqliteDriverName | undefined);
  const readonly = options.readonly ?? false;
  if (wanted === 'node:sqlite') return openNodeSqlite(path, readonly, undefined);
  let betterError: string | undefined;
  const skip = wanted === 'better-sqlite3' ? undefined : betterSqliteSkipReason();
  if (skip === undefined) {
    try {
      return openBetterSqlite(path, readonly);
    } catch (error) {
      // A missing or mismatched binary throws here (it does not crash): fall back.
      if (wanted === 'better-sqlite3' || isSqliteError(error)) throw error;
      betterError = `better-sqlite3 failed to load: ${(error as Error).message}`;
    }
  } else {
    betterError = `better-sqlite3 skipped: ${skip}`;
  }
  return openNodeSqlite(path, readonly, betterError);
}

function isSqliteError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}

function openBetterSqlite(path: string, readonly: boolean): SqlDatabase {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Database = require('better-sqlite3') as typeof import('better-sqlite3');
  const db = new Database(path, { readonly, fileMustExist: readonly });
  return {
    driverName: 'better-sqlite3',
    prepare(sql) {
      const statement = db.prepare(sql);
      // Statements that return no rows (INSERT, UPDATE, ...) reject get/all/iterate in better-sqlite3.
      return {
        run: (...params) => statement.run(...params),
        get: (...params) => statement.get(...params) as SqlRow | undefined,
        all: (...params) => statement.all(...params) as SqlRow[],
        iterate: (...params) => statement.iterate(...params) as IterableIterator<SqlRow>,
      };
    },
    exec: (sql) => { db.exec(sql); },
    transaction: makeTransaction((sql) => db.exec(sql), () => db.inTransaction),
    close: () => db.close(),
  };
}

interface NodeSqliteModule {
  DatabaseSync: new (path: string, options?: { readOnly?: boolean }) => {
    prepare(sql: string): {
      run(...params: SqlValue[]): { changes: number | bigint; lastInsertRowid: number | bigint };
      get(...params: SqlValue[]): SqlRow | undefined;
      all(...params: SqlValue[]): SqlRow[];
      iterate(...params: SqlValue[]): IterableIterator<SqlRow>;
    };
    exec(sql: string): void;
    close(): void;
    readonly isTransaction?: boolean;
  };
}

function loadNodeSqlite(): NodeSqliteModule | undefined {
  try {
    const getBuiltin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
    if (getBuiltin) return getBuiltin('node:sqlite') as NodeSqliteModule | undefined;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('node:sqlite') as NodeSqliteModule;
  } catch {
    return undefined;
  }
}

function openNodeSqlite(path: string, readonly: boolean, betterError: string | undefined): SqlDatabase {
  const mod = loadNodeSqlite();
  if (!mod) {
    throw new Error(
      `No SQLite driver available for ${path}: ${betterError ?? 'better-sqlite3 not tried'}; ` +
      `and Node ${process.versions.node} has no built-in node:sqlite. ` +
      'Fix: run with Node >= 22.13 (node:sqlite), or install better-sqlite3 built for this Node (npm rebuild better-sqlite3).',
    );
  }
  const db = new mod.DatabaseSync(path, { readOnly: readonly });
  let depth = 0;
  return {
    driverName: 'node:sqlite',
    prepare(sql) {
      const statement = db.prepare(sql);
      return {
        run: (...params) => {
          const result = statement.run(...params);
          return { changes: Number(result.changes), lastInsertRowid: result.lastInsertRowid };
        },
        get: (...params) => statement.get(...params),
        all: (...params) => statement.all(...params),
        iterate: (...params) => statement.iterate(...params),
      };
    },
    exec: (sql) => db.exec(sql),
    // node:sqlite has no transaction helper: we track nesting ourselves.
    transaction: makeTransaction((sql) => {
      if (sql.startsWith('BEGIN')) depth++;
      else depth = 0;
      db.exec(sql);
    }, () => depth > 0),
    close: () => db.close(),
  };
}

/** BEGIN/COMMIT/ROLLBACK around fn; a call inside an open transaction just runs fn. */
function makeTransaction(exec: (sql: string) => void, inTransaction: () => boolean) {
  return function transaction<T>(fn: () => T): T {
    if (inTransaction()) return fn();
    // IMMEDIATE takes the write lock up front, so two writers (extension + CLI) wait on
    // busy_timeout instead of failing with SQLITE_BUSY when a read lock is upgraded.
    exec('BEGIN IMMEDIATE');
    let result: T;
    try {
      result = fn();
    } catch (error) {
      try { exec('ROLLBACK'); } catch { /* the original error matters more */ }
      throw error;
    }
    exec('COMMIT');
    return result;
  };
}
