// A thousand run logs appearing at once (a sweep, or a workspace copied in): every one of them
// ends up in the store, through the watcher-driven ingests and through a full ingest.
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { activatedApi, storeOf, waitFor, workspaceRoot } from './helpers';

const GENERATED = 1000;

function generatedId(i: number): string {
  return `9e9${i.toString(16).padStart(29, '0')}`;
}

describe('ingest of many run logs', () => {
  it('ingests all of 1,000 run logs written at once', async function () {
    this.timeout(120_000);
    const api = await activatedApi();
    await api.ingestNow();
    const store = storeOf(api);
    const before = store.searchRuns({ limit: 0 }).total;
    const dir = join(workspaceRoot(), '.modelcloud', 'runs');
    mkdirSync(dir, { recursive: true });
    const base = 1_600_000_000_000;
    for (let i = 0; i < GENERATED; i++) {
      const id = generatedId(i);
      const ts = base + i * 60_000;
      const lines = [
        { v: 1, t: 'run_start', ts, run: id, experiment: 'generated', name: `gen-${String(i).padStart(4, '0')}`, source: { kind: 'script', path: 'train.py' }, tags: {} },
        { v: 1, t: 'params', ts: ts + 1, params: { seed: String(i % 10) } },
        { v: 1, t: 'metrics', ts: ts + 2, keys: ['f1'], values: [0.5], steps: [0], times: [ts + 2] },
        { v: 1, t: 'run_end', ts: ts + 3, status: 'FINISHED' },
      ];
      writeFileSync(join(dir, `${id}.jsonl`), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    }
    const missing = (): string[] => {
      const out: string[] = [];
      for (let i = 0; i < GENERATED; i++) if (store.getRun(generatedId(i))?.status !== 'FINISHED') out.push(generatedId(i));
      return out;
    };
    // The watcher alone must bring every one of them in.
    try {
      await waitFor('all generated runs via the watcher', () => (store.searchRuns({ limit: 0 }).total >= before + GENERATED ? true : undefined), 60_000);
    } catch (error) {
      const left = missing();
      assert.fail(`${left.length} of ${GENERATED} run logs not ingested by the watcher-driven ingests (e.g. ${left.slice(0, 3).join(', ')}); ` +
        `store total ${store.searchRuns({ limit: 0 }).total}: ${(error as Error).message}`);
    }
    await api.ingestNow();
    assert.deepEqual(missing(), []);
    assert.equal(store.searchRuns({ limit: 0 }).total, before + GENERATED);
  });
});
