import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { compareStamps, registerId, validateEventBatch, type SyncEvent, type SyncOp } from '../../../src/core/sync/events';
import { emptyMergeState, mergeRemoteEvents, stampLocalOps, type MergeState } from '../../../src/core/sync/merge';
import { advanceSnapshot, buildSnapshot, diffSnapshots, emptySnapshot, versionUid, type SnapshotModelInput } from '../../../src/core/sync/registrySnapshot';
import { describeRegisterConflict, formatSyncReport } from '../../../src/core/sync/report';
import { eventBatchKey, runIdOfKey, seqOfKey, syncRunKey } from '../../../src/core/sync/keyLayout';
import { blobsOfRunLog } from '../../../src/core/sync/runLogBlobs';

const hash = (t: string): string => createHash('sha256').update(t).digest('hex');
const ALICE = 'a'.repeat(32);
const BOB = 'b'.repeat(32);
const SHA = 'c'.repeat(64);

function version(n: number, extra: Partial<SnapshotModelInput['versions'][number]> = {}): SnapshotModelInput['versions'][number] {
  return {
    version: n, stage: 'None', aliases: [], files: [{ path: 'model.pkl', sha256: SHA, size: 3 }], runId: `run${n}`, source: null,
    flavor: 'pickle', signature: null, description: null, createdMs: 1000 + n, origin: 'modelcloud', ...extra,
  };
}

function uidOf(n: number): string {
  return versionUid(hash, 'wine', `run${n}`, 1000 + n, [{ path: 'model.pkl', sha256: SHA, size: 3 }]);
}

function aliasOp(alias: string, n: number): SyncOp {
  return { kind: 'set', model: 'wine', field: 'alias', key: alias, value: uidOf(n), base: null };
}

/** Two clients that have both seen `shared` (already merged into each state). */
function twoClients(): { alice: MergeState; bob: MergeState } {
  return { alice: emptyMergeState(), bob: emptyMergeState() };
}

describe('team sync: registry snapshots and diffs', () => {
  it('finds new versions, register changes and deletions; MLflow versions are not shared', () => {
    const base = buildSnapshot([{ name: 'wine', description: null, tags: {}, versions: [version(1), version(2)] }], hash).snapshot;
    const current = buildSnapshot([{
      name: 'wine', description: 'reds', tags: { team: 'ml' },
      versions: [version(1, { stage: 'Production', aliases: ['champion'] }), version(3), version(4, { origin: 'mlflow' })],
    }], hash);
    const ops = diffSnapshots(base, current);
    assert.deepEqual(ops.map((o) => o.kind === 'set' ? `set ${o.field} ${o.key === uidOf(1) ? 'v1' : o.key}=${o.value === uidOf(1) ? 'v1' : o.value}` : `${o.kind} ${o.uid === uidOf(2) ? 'v2' : o.uid === uidOf(3) ? 'v3' : o.uid}`), [
      'version v3',
      'set alias champion=v1',
      'set description =reds',
      'set stage v1=Production',
      'set tag team=ml',
      'delete v2',
    ]);
  });

  it('gives a version the same uid in every store, whatever its number', () => {
    const a = buildSnapshot([{ name: 'wine', description: null, tags: {}, versions: [version(1)] }], hash).snapshot;
    const b = buildSnapshot([{ name: 'wine', description: null, tags: {}, versions: [{ ...version(1), version: 7 }] }], hash).snapshot;
    assert.deepEqual(Object.keys(a.versions), Object.keys(b.versions));
  });

  it('advancing the snapshot by the published ops leaves nothing to publish', () => {
    const base = emptySnapshot();
    const current = buildSnapshot([{ name: 'wine', description: null, tags: {}, versions: [version(1, { aliases: ['champion'] })] }], hash);
    for (const op of diffSnapshots(base, current)) advanceSnapshot(base, op);
    assert.deepEqual(diffSnapshots(base, current), []);
  });
});

describe('team sync: merge and conflict rules', () => {
  it('orders stamps by clock, then by client id', () => {
    assert.ok(compareStamps({ clock: 2, client: ALICE }, { clock: 3, client: ALICE }) < 0);
    assert.ok(compareStamps({ clock: 3, client: BOB }, { clock: 3, client: ALICE }) > 0);
  });

  it('concurrent alias moves: both stores pick the same winner and both report the conflict', () => {
    const { alice, bob } = twoClients();
    const fromAlice = stampLocalOps(alice, [aliasOp('champion', 3)], ALICE, 'alice@host', 60_000);
    const fromBob = stampLocalOps(bob, [aliasOp('champion', 4)], BOB, 'bob@host', 61_000);
    const atAlice = mergeRemoteEvents(alice, fromBob, ALICE);
    const atBob = mergeRemoteEvents(bob, fromAlice, BOB);
    // Equal clocks: the higher client id (bob) wins on both sides.
    assert.equal(alice.registers[registerId({ model: 'wine', field: 'alias', key: 'champion' })].value, uidOf(4));
    assert.equal(bob.registers[registerId({ model: 'wine', field: 'alias', key: 'champion' })].value, uidOf(4));
    assert.equal(atAlice.actions.length, 1, 'alice applies bob\'s move');
    assert.equal(atBob.actions.length, 0, 'bob keeps his');
    const show = (v: string | null): string => (v === uidOf(3) ? 'v3' : v === uidOf(4) ? 'v4' : String(v));
    const aliceSees = describeRegisterConflict(atAlice.conflicts[0], ALICE, show);
    const bobSees = describeRegisterConflict(atBob.conflicts[0], BOB, show);
    assert.equal(aliceSees.message, 'alias champion of wine: yours → v3 lost to bob@host → v4 at 00:01 UTC');
    assert.equal(aliceSees.kind === 'register' && aliceSees.yours, 'lost');
    assert.equal(bobSees.message, 'alias champion of wine: alice@host → v3 lost to yours → v4 at 00:01 UTC');
  });

  it('a later clock wins over a higher client id', () => {
    const { alice, bob } = twoClients();
    stampLocalOps(alice, [{ kind: 'set', model: 'wine', field: 'tag', key: 'x', value: 'first', base: null }], ALICE, 'alice', 1);
    const second = stampLocalOps(alice, [{ kind: 'set', model: 'wine', field: 'tag', key: 'x', value: 'second', base: null }], ALICE, 'alice', 2);
    const bobs = stampLocalOps(bob, [{ kind: 'set', model: 'wine', field: 'tag', key: 'x', value: 'bob', base: null }], BOB, 'bob', 3);
    mergeRemoteEvents(bob, second, BOB);
    mergeRemoteEvents(alice, bobs, ALICE);
    assert.equal(bob.registers[registerId({ model: 'wine', field: 'tag', key: 'x' })].value, 'second');
    assert.equal(alice.registers[registerId({ model: 'wine', field: 'tag', key: 'x' })].value, 'second');
  });

  it('a knowing overwrite (its base is the current value) is not a conflict', () => {
    const { alice, bob } = twoClients();
    const first = stampLocalOps(alice, [aliasOp('champion', 3)], ALICE, 'alice', 1);
    mergeRemoteEvents(bob, first, BOB);
    const second = stampLocalOps(bob, [aliasOp('champion', 4)], BOB, 'bob', 2);
    assert.deepEqual((second[0].op as { base: unknown }).base, { clock: 1, client: ALICE });
    const merged = mergeRemoteEvents(alice, second, ALICE);
    assert.equal(merged.conflicts.length, 0);
    assert.equal(merged.actions.length, 1);
  });

  it('applies each event once, whatever the order or how often it arrives', () => {
    const { alice } = twoClients();
    const bob = emptyMergeState();
    const events = stampLocalOps(bob, [aliasOp('champion', 3), aliasOp('challenger', 4)], BOB, 'bob', 1);
    const once = mergeRemoteEvents(alice, [...events].reverse(), ALICE);
    assert.equal(once.actions.length, 2);
    assert.deepEqual(once.actions.map((a) => a.event.clock), [1, 2], 'applied in stamp order');
    assert.equal(mergeRemoteEvents(alice, events, ALICE).actions.length, 0);
    assert.equal(alice.clock, 2, 'the clock moves past what was seen');
  });

  it('a deleted version stays deleted: its aliases and stages arriving later are ignored', () => {
    const alice = emptyMergeState();
    const bob = emptyMergeState();
    const del = stampLocalOps(bob, [{ kind: 'delete', model: 'wine', uid: uidOf(3) }], BOB, 'bob', 1);
    mergeRemoteEvents(alice, del, ALICE);
    const late: SyncEvent[] = [{ id: `${BOB}:9`, clock: 9, client: BOB, user: 'bob', ms: 2, op: aliasOp('champion', 3) }];
    assert.equal(mergeRemoteEvents(alice, late, ALICE).actions.length, 0);
  });

  it('skips this client\'s own events coming back from the remote', () => {
    const alice = emptyMergeState();
    const mine = stampLocalOps(alice, [aliasOp('champion', 3)], ALICE, 'alice', 1);
    assert.equal(mergeRemoteEvents(alice, mine, ALICE).actions.length, 0);
  });

  it('rejects malformed batches with where and what', () => {
    assert.throws(() => validateEventBatch({ format: 2 }, 's3://b/x.json'), /s3:\/\/b\/x\.json: invalid sync event batch: unknown format 2/);
    assert.throws(() => validateEventBatch({ format: 1, client: ALICE, seq: 1, events: [{ clock: 1, client: BOB, id: 'x', op: { kind: 'set', model: 'm' } }] }, 'k'),
      /events\[0\]/);
  });

  it('formats a report with its conflicts', () => {
    const text = formatSyncReport({
      remote: 'team', readOnly: true, client: ALICE, user: 'alice@host', startedMs: 0, durationMs: 1500, runsUploaded: [], runsDownloaded: ['r1'],
      blobsUploaded: 0, bytesUploaded: 0, eventsUploaded: 0, eventsDownloaded: 2, versionsPulled: ['wine/1'],
      conflicts: [{ kind: 'renumbered', model: 'wine', from: 2, to: 3, message: 'wine v2 was renumbered to v3' }], warnings: [],
    });
    assert.match(text, /read-only remote: pulled only/);
    assert.match(text, /runs: 0 uploaded, 1 downloaded/);
    assert.match(text, /new versions: wine\/1/);
    assert.match(text, /conflicts: 1\n {4}wine v2 was renumbered to v3/);
  });
});

describe('team sync: key layout and run-log blobs', () => {
  it('round-trips keys', () => {
    assert.equal(syncRunKey('team', 'abc'), 'team/sync/runs/abc.jsonl');
    assert.equal(runIdOfKey('team', 'team/sync/runs/abc.jsonl'), 'abc');
    assert.equal(runIdOfKey('team', 'team/sync/runs/x/abc.jsonl'), undefined);
    const key = eventBatchKey('', ALICE, 12);
    assert.equal(key, `sync/events/${ALICE}/0000000012.json`);
    assert.equal(seqOfKey('', ALICE, key), 12);
    assert.throws(() => syncRunKey('p', '../x'), /invalid run id/);
  });

  it('finds artifact and model blobs in a run log', () => {
    const log = [
      JSON.stringify({ t: 'run_start', run: 'r', ts: 1 }),
      JSON.stringify({ t: 'metrics', keys: ['a'], values: [1] }),
      JSON.stringify({ t: 'artifact', path: 'plot.png', size: 5, sha256: 'd'.repeat(64) }),
      JSON.stringify({ t: 'model', name: 'wine', path: 'model', files: [{ path: 'model.pkl', sha256: SHA, size: 3 }, { path: 'x', sha256: 'd'.repeat(64), size: 5 }] }),
      '{"t":"artifact","sha256": broken',
    ].join('\n');
    assert.deepEqual(blobsOfRunLog(log).map((b) => b.sha256).sort(), ['c'.repeat(64), 'd'.repeat(64)]);
  });
});
