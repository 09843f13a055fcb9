// Merging registry events from many clients (README "Team sync", "Conflict rules"):
// - every event is ordered by its stamp (Lamport clock, then client id); pulled events are applied
//   in that order, so every store that has seen the same events holds the same registers;
// - a register (alias, stage, tag, description) keeps the value of its highest-stamped write;
// - a write whose `base` is not the value it replaces was made without knowing it: the two are
//   concurrent, and when their values differ the lower-stamped one is reported as a conflict;
// - a deleted version stays deleted (tombstone), whatever arrives about it later.
import { compareStamps, registerId, sameStamp, type SetOp, type Stamp, type SyncEvent, type SyncOp } from './events';

export interface RegisterValue {
  stamp: Stamp;
  base: Stamp | null;
  value: string | null;
  user: string;
  ms: number;
}

/** Persisted per remote between syncs. */
export interface MergeState {
  /** The highest clock this client has issued or seen. */
  clock: number;
  registers: Record<string, RegisterValue>;
  /** uids of deleted versions. */
  tombstones: string[];
}

export interface WriteSide {
  client: string;
  user: string;
  value: string | null;
  ms: number;
}

export interface RegisterConflict {
  model: string;
  field: SetOp['field'];
  key: string;
  winner: WriteSide;
  loser: WriteSide;
}

/** What to do to the local registry for one pulled event. */
export type MergeAction =
  | { type: 'version'; event: SyncEvent & { op: Extract<SyncOp, { kind: 'version' }> } }
  | { type: 'set'; event: SyncEvent & { op: SetOp } }
  | { type: 'delete'; event: SyncEvent & { op: Extract<SyncOp, { kind: 'delete' }> } };

export function emptyMergeState(): MergeState {
  return { clock: 0, registers: {}, tombstones: [] };
}

/**
 * Stamps local ops as this client's events: clocks continue from the highest seen, each set op
 * records the register value it overwrote as its base, and the registers take the new values.
 */
export function stampLocalOps(state: MergeState, ops: readonly SyncOp[], client: string, user: string, ms: number): SyncEvent[] {
  return ops.map((op) => {
    const clock = ++state.clock;
    const stamp = { clock, client };
    let stamped: SyncOp = op;
    if (op.kind === 'set') {
      const id = registerId(op);
      const previous = state.registers[id];
      stamped = { ...op, base: previous ? { ...previous.stamp } : null };
      state.registers[id] = { stamp, base: stamped.base, value: op.value, user, ms };
    } else if (op.kind === 'delete' && !state.tombstones.includes(op.uid)) state.tombstones.push(op.uid);
    return { id: `${client}:${clock}`, clock, client, user, ms, op: stamped };
  });
}

/**
 * Merges pulled events into the state. Returns what to apply locally (in order) and the
 * conflicts found. Events already merged (same stamp) and this client's own events are skipped.
 */
export function mergeRemoteEvents(state: MergeState, events: readonly SyncEvent[], localClient: string): { actions: MergeAction[]; conflicts: RegisterConflict[] } {
  const actions: MergeAction[] = [];
  const conflicts: RegisterConflict[] = [];
  const tombstones = new Set(state.tombstones);
  const sorted = events.filter((e) => e.client !== localClient).sort(compareStamps);
  for (const e of sorted) {
    state.clock = Math.max(state.clock, e.clock);
    const op = e.op;
    if (op.kind === 'version') {
      if (!tombstones.has(op.uid)) actions.push({ type: 'version', event: { ...e, op } });
      continue;
    }
    if (op.kind === 'delete') {
      if (!tombstones.has(op.uid)) {
        tombstones.add(op.uid);
        state.tombstones.push(op.uid);
        actions.push({ type: 'delete', event: { ...e, op } });
      }
      continue;
    }
    if ((op.field === 'stage' && tombstones.has(op.key)) || (op.field === 'alias' && op.value !== null && tombstones.has(op.value))) continue;
    const id = registerId(op);
    const current = state.registers[id];
    const incoming: RegisterValue = { stamp: { clock: e.clock, client: e.client }, base: op.base, value: op.value, user: e.user, ms: e.ms };
    if (current && sameStamp(current.stamp, incoming.stamp)) continue; // already merged
    const incomingWins = !current || compareStamps(incoming.stamp, current.stamp) > 0;
    if (current) {
      // Knowing overwrites are not conflicts: the newer write saw the older one as its base.
      const knowing = incomingWins ? sameStamp(op.base, current.stamp) : sameStamp(current.base, incoming.stamp);
      if (!knowing && current.value !== incoming.value) {
        const [winner, loser] = incomingWins ? [incoming, current] : [current, incoming];
        conflicts.push({ model: op.model, field: op.field, key: op.key, winner: side(winner), loser: side(loser) });
      }
    }
    if (incomingWins) {
      state.registers[id] = incoming;
      if (!current || current.value !== incoming.value) actions.push({ type: 'set', event: { ...e, op } });
    }
  }
  return { actions, conflicts };
}

function side(v: RegisterValue): WriteSide {
  return { client: v.stamp.client, user: v.user, value: v.value, ms: v.ms };
}
