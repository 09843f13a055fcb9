// `modelcloud ab` router subcommands that need no running router: usage errors, config errors and
// the Kubernetes manifest (the life cycle itself is covered by test/system/abRouter.test.ts).
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../../../src/cli/runCli';

describe('A/B router CLI (ab start|status|pause|manifest)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mc-ab-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const run = async (...argv: string[]) => {
    let out = '';
    let err = '';
    const code = await runCli(['--store', join(dir, '.modelcloud'), ...argv], { out: (t) => { out += t; }, err: (t) => { err += t; }, cwd: dir, version: 'test' });
    return { code, out, err };
  };

  it('lists the router and statistics subcommands when none is given, and routes statistics to ab.ts', async () => {
    const none = await run('ab');
    assert.equal(none.code, 2);
    assert.match(none.err, /name a subcommand: sample-size, test, boundaries, start, status, pause, resume, stop, feedback, manifest/);
    const stats = await run('ab', 'sample-size', '--effect', '0.05', '--json');
    assert.equal(stats.code, 0, stats.err);
  });

  it('refuses bad usage (2) and a bad config file (1) with what to fix', async () => {
    assert.equal((await run('ab', 'start')).code, 2);
    assert.equal((await run('ab', 'pause')).code, 2);
    assert.equal((await run('ab', 'feedback', 'x', '--user', 'u', '--metric', 'm', '--value', 'abc')).code, 2);
    const missing = await run('ab', 'start', '--config', 'nope.json');
    assert.equal(missing.code, 1);
    assert.match(missing.err, /cannot read the router config .*nope\.json: ENOENT/);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ experiment: 'e', variants: [{ name: 'A', weight: 1, upstreams: [] }] }));
    const bad = await run('ab', 'start', '--config', 'bad.json');
    assert.equal(bad.code, 1);
    assert.match(bad.err, /invalid router config:\n {2}- an experiment needs at least two variants/);
  });

  it('says no router runs for pause/status of an unknown experiment', async () => {
    const paused = await run('ab', 'pause', 'ghost');
    assert.equal(paused.code, 1);
    assert.match(paused.err, /no A\/B router runs for experiment 'ghost'.*modelcloud ab start --config FILE/);
    const list = await run('ab', 'status');
    assert.equal(list.code, 0);
    assert.match(list.out, /No A\/B routers/);
  });

  it('writes the Kubernetes manifest to a file', async () => {
    writeFileSync(join(dir, 'ab.json'), JSON.stringify({
      experiment: 'ranker', variants: [{ name: 'A', weight: 50, upstreams: ['http://ranker-v1:9000'] }, { name: 'B', weight: 50, upstreams: ['http://ranker-v2:9000'] }],
    }));
    const r = await run('ab', 'manifest', '--config', 'ab.json', '--image', 'reg/router:1', '--namespace', 'ml', '--out', 'router.yaml');
    assert.equal(r.code, 0, r.err);
    const docs = parseAllDocuments(readFileSync(join(dir, 'router.yaml'), 'utf8')).map((d) => d.toJS() as { kind: string; metadata: { namespace: string } });
    assert.deepEqual(docs.map((d) => [d.kind, d.metadata.namespace]), [['ConfigMap', 'ml'], ['Deployment', 'ml'], ['Service', 'ml']]);
  });
});
