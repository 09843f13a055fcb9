// The Runs dashboard in the real extension host: the command opens a webview tab for an
// experiment, one panel per set of experiments, and the host answers the webview's requests
// (rows, a filter, a sort, a rejected filter, groups, saved columns) from the fixture's store.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RunsDashboardController } from '../../src/features/runsDashboard/panel';
import type { FetchRowsRequest, RunsDashboardReply, RunsQuery } from '../../src/protocol/runsDashboard';
import { activatedApi, storeOf, RUN_LOGREG, RUN_RF3, RUN_RF8 } from './helpers';

const OPEN = 'modelcloud.openRunsDashboard';
const COLUMNS = ['attributes.status', 'attributes.run_name', 'metrics.f1', 'params.max_depth'];

describe('runs dashboard', () => {
  const opened: RunsDashboardController[] = [];
  after(() => opened.forEach((c) => c.dispose()));

  async function openFor(...args: unknown[]): Promise<RunsDashboardController> {
    const controller = await vscode.commands.executeCommand<RunsDashboardController>(OPEN, ...args);
    assert.ok(controller, `${OPEN} returned its panel controller`);
    opened.push(controller);
    return controller;
  }

  async function fetchRows(c: RunsDashboardController, query: RunsQuery, requestId = 1): Promise<RunsDashboardReply | undefined> {
    const request: FetchRowsRequest = { type: 'fetchRows', requestId, query, offset: 0, limit: 100, columns: COLUMNS };
    return c.handleMessage(request);
  }

  it('resolves a selection range by index, rows loaded or not, in the query\'s order', async () => {
    const api = await activatedApi();
    const store = storeOf(api);
    const ids = Array.from({ length: 600 }, (_, i) => `${(0xabc000 + i).toString(16)}`.padStart(32, '0'));
    store.apply({
      runs: ids.map((id, i) => ({ id, experiment: 'range-select', name: `r${String(i).padStart(3, '0')}`, status: 'FINISHED' as const, startMs: i, origin: 'modelcloud' as const })),
      metrics: ids.map((runId, i) => ({ runId, key: 'score', value: (i * 37) % 600, step: 0, ts: 1 })),
    });
    const experiment = store.listExperiments().find((e) => e.name === 'range-select')!;
    try {
      const controller = await openFor({ kind: 'experiment', experiment });
      const query: RunsQuery = { filter: 'metrics.score >= 100', sort: { column: 'metrics.score', direction: 'desc' } };
      const page = await controller.handleMessage({ type: 'fetchRows', requestId: 1, query, offset: 0, limit: 600, columns: COLUMNS });
      assert.equal(page?.type, 'rows');
      if (page?.type !== 'rows') return;
      assert.equal(page.total, 500);
      // Shift+click from row 480 up to row 20: the webview holds only the first page of 100.
      const range = await controller.handleMessage({ type: 'resolveRange', requestId: 5, query, from: 480, to: 20 });
      assert.deepEqual(range, { type: 'range', requestId: 5, from: 480, to: 20, ids: page.rows.slice(20, 481).map((r) => r.id) });
      const tail = await controller.handleMessage({ type: 'resolveRange', requestId: 6, query, from: 495, to: 900 });
      assert.deepEqual(tail?.type === 'range' && tail.ids, page.rows.slice(495).map((r) => r.id), 'a range past the end stops at the last row');
      const bad = await controller.handleMessage({ type: 'resolveRange', requestId: 7, query: { filter: 'metrics.score >>' }, from: 0, to: 3 });
      assert.equal(bad?.type, 'queryError');
    } finally {
      store.apply({ resetRuns: ids });
      store.softDeleteExperiment(experiment.id);
    }
  });

  it('opens a webview tab for wine-quality and answers the table requests', async () => {
    const api = await activatedApi();
    await api.ingestNow();
    const store = storeOf(api);
    const wine = store.listExperiments().find((e) => e.name === 'wine-quality');
    assert.ok(wine, 'the fixture has the wine-quality experiment');
    const node = { kind: 'experiment', experiment: wine };

    const controller = await openFor(node);
    const tab = await waitForTab('Runs: wine-quality');
    assert.ok(tab.input instanceof vscode.TabInputWebview, 'the tab is a webview');

    const all = await fetchRows(controller, { filter: '' }, 7);
    assert.equal(all?.type, 'rows');
    if (all?.type !== 'rows') return;
    assert.equal(all.requestId, 7, 'the reply carries the request id');
    assert.equal(all.total, 3);
    // By id: an earlier suite renames rf-depth-3.
    assert.deepEqual(all.rows.map((r) => r.id).sort(), [RUN_LOGREG, RUN_RF3, RUN_RF8].sort());
    const rf8 = all.rows.find((r) => r.id === RUN_RF8)!;
    assert.equal(rf8.name, 'rf-depth-8');
    assert.equal(rf8.metrics.f1, 0.972);
    assert.equal(rf8.params.max_depth, '8');
    assert.equal(all.rows.find((r) => r.id === RUN_LOGREG)!.metrics.f1, null, 'a NaN latest value arrives as null');

    const filtered = await fetchRows(controller, { filter: 'metrics.f1 > 0.9', sort: { column: 'metrics.f1', direction: 'desc' } });
    assert.equal(filtered?.type, 'rows');
    if (filtered?.type === 'rows') {
      assert.equal(filtered.total, 2);
      assert.deepEqual(filtered.rows.map((r) => r.id), [RUN_RF8, RUN_RF3], 'sorted by f1, best first');
    }

    const bad = await fetchRows(controller, { filter: 'metrics.f1 > 0.9 andd x' }, 9);
    assert.equal(bad?.type, 'queryError');
    if (bad?.type === 'queryError') {
      assert.equal(bad.requestId, 9);
      assert.equal(bad.error.offset, 'metrics.f1 > 0.9 '.length, 'the error points at "andd"');
      assert.equal(bad.error.length, 4);
      assert.match(bad.error.message, /AND/);
    }

    const groups = await controller.handleMessage({ type: 'fetchGroups', requestId: 3, query: { filter: '' }, groupBy: 'params.model', metrics: ['f1'] });
    assert.equal(groups?.type, 'groups');
    if (groups?.type === 'groups') {
      const forest = groups.groups.find((g) => g.value === 'RandomForest');
      assert.equal(forest?.count, 2);
      assert.ok(Math.abs((forest?.metrics.f1.mean ?? 0) - (0.912 + 0.972) / 2) < 1e-9);
      assert.equal(forest?.metrics.f1.max, 0.972);
    }
  });

  it('reveals the same panel for the same experiments and opens another for all of them', async () => {
    const store = storeOf(await activatedApi());
    const wine = store.listExperiments().find((e) => e.name === 'wine-quality')!;
    const node = { kind: 'experiment', experiment: wine };
    const first = await openFor(node);
    // The tree's context menu passes the clicked node and the whole selection.
    assert.equal(await openFor(node, [node]), first, 'same experiment set, same panel');
    const everything = await openFor();
    assert.notEqual(everything, first);
    await waitForTab('Runs: all experiments');
    const rows = await fetchRows(everything, { filter: '' });
    assert.equal(rows?.type, 'rows');
    if (rows?.type === 'rows') assert.ok(rows.total > 3, `all experiments have more than wine-quality's 3 runs (got ${rows.total})`);
  });

  it('persists the column layout in the workspace state', async () => {
    const store = storeOf(await activatedApi());
    const wine = store.listExperiments().find((e) => e.name === 'wine-quality')!;
    const controller = await openFor({ kind: 'experiment', experiment: wine });
    const columns = [
      { id: 'attributes.run_name', width: 240, pinned: true },
      { id: 'metrics.f1', width: 90, pinned: false },
      { id: 'bogus.column', width: 90, pinned: false },
    ];
    await controller.handleMessage({ type: 'saveColumns', columns });
    const init = await controller.initMessage();
    assert.deepEqual(init.columns, columns.slice(0, 2), 'saved columns come back, invalid ones dropped');
    assert.ok(init.keys.metrics.includes('f1') && init.keys.params.includes('max_depth'), 'the column picker gets the keys');
    assert.deepEqual(init.experiments.map((e) => e.name), ['wine-quality']);
  });
});

async function waitForTab(label: string): Promise<vscode.Tab> {
  for (let i = 0; i < 100; i++) {
    const tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === label);
    if (tab) return tab;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const labels = vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.label);
  throw new Error(`no tab "${label}" appeared; open tabs: ${JSON.stringify(labels)}`);
}
