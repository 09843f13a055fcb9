// The vocabulary of team sync (README "Team sync"): registry changes travel as events stamped with
// a Lamport clock and the writer's client id. Versions are named by a content uid (not their
// number, which the remote may change); mutable facts (aliases, stages, tags, descriptions) are
// last-writer-wins registers, each event carrying the stamp of the value it overwrote (`base`) so a
// reader can tell a knowing overwrite from two concurrent moves (a conflict).

/** Orders every event of every client: higher clock wins, equal clocks are broken by client id. */
export interface Stamp {
  clock: number;
  client: string;
}

export interface SyncFile { path: string; sha256: string; size: number }

/** A version registered by its writer; `version` is the number it claimed on the remote. */
export interface VersionOp {
  kind: 'version';
  model: string;
  uid: string;
  version: number;
  files: SyncFile[];
  runId: string | null;
  source: string | null;
  flavor: string;
  signature: unknown;
  description: string | null;
  createdMs: number;
}

export type RegisterField = 'alias' | 'stage' | 'tag' | 'description';

/**
 * One register write. alias: key = alias name, value = version uid; stage: key = version uid,
 * value = stage; tag: key = tag key; description: key = ''. `null` means removed / default.
 */
export interface SetOp {
  kind: 'set';
  model: string;
  field: RegisterField;
  key: string;
  value: string | null;
  /** Stamp of the value the writer saw (and overwrote); null when it saw none. */
  base: Stamp | null;
}

/** A deleted version: a tombstone that wins over everything about that uid. */
export interface DeleteOp {
  kind: 'delete';
  model: string;
  uid: string;
}

export type SyncOp = VersionOp | SetOp | DeleteOp;

export interface SyncEvent extends Stamp {
  /** `<client>:<clock>`: applying an event twice is a no-op. */
  id: string;
  /** Who wrote it, for people: `user@host`. */
  user: string;
  ms: number;
  op: SyncOp;
}

/** One immutable remote object `<prefix>/sync/events/<client>/<seq>.json`. */
export interface EventBatch {
  format: 1;
  client: string;
  user: string;
  seq: number;
  events: SyncEvent[];
}

export function compareStamps(a: Stamp, b: Stamp): number {
  if (a.clock !== b.clock) return a.clock - b.clock;
  return a.client < b.client ? -1 : a.client > b.client ? 1 : 0;
}

export function sameStamp(a: Stamp | null | undefined, b: Stamp | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.clock === b.clock && a.client === b.client;
}

export function registerId(op: Pick<SetOp, 'model' | 'field' | 'key'>): string {
  return JSON.stringify([op.field, op.model, op.key]);
}

export function parseRegisterId(id: string): Pick<SetOp, 'model' | 'field' | 'key'> {
  const [field, model, key] = JSON.parse(id) as [RegisterField, string, string];
  return { field, model, key };
}

/** Validates a batch read from the remote; a bad one is skipped with this message, never applied. */
export function validateEventBatch(doc: unknown, where: string): EventBatch {
  const fail = (what: string): never => { throw new Error(`${where}: invalid sync event batch: ${what}`); };
  const b = doc as Partial<EventBatch>;
  if (typeof doc !== 'object' || doc === null) fail('expected a JSON object');
  if (b.format !== 1) fail(`unknown format ${JSON.stringify(b.format)} (this Modelcloud reads format 1; update it)`);
  if (typeof b.client !== 'string' || typeof b.seq !== 'number' || !Array.isArray(b.events)) fail('needs client, seq and events');
  b.events!.forEach((e, i) => {
    if (typeof e !== 'object' || e === null || typeof e.clock !== 'number' || e.client !== b.client || typeof e.id !== 'string'
      || typeof e.op !== 'object' || e.op === null || !['version', 'set', 'delete'].includes(e.op.kind) || typeof e.op.model !== 'string') {
      fail(`events[${i}] must be {id, clock, client (= the batch's), user, ms, op: {kind, model, ...}}`);
    }
  });
  return b as EventBatch;
}
