// Monitoring in the real extension host: the fixture echo service deployed for real (local process,
// the Python runtime), a small load on loopback, the extension's own poller writing samples to the
// workspace store, and "Modelcloud: Open Monitoring" sending the dashboard that history. The service
// is stopped in `after`.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeployResult } from '../../src/platform/deploy/serviceManager.api';
import { activatedApi, EXTENSION_ID, waitFor, workspaceRoot } from './helpers';

const ECHO = 'echo';

async function monitoringApi() {
  const api = await activatedApi();
  assert.ok(api.monitoring, 'the extension API has no monitoring (is a folder open?)');
  return api.monitoring;
}

describe('monitoring: poller and dashboard in the extension host', function () {
  this.timeout(180_000);
  let url = '';

  after(async function () {
    this.timeout(60_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('modelcloud.service.stop', ECHO).then(undefined, () => undefined);
    const servicesDir = join(workspaceRoot(), '.modelcloud', 'services');
    if (!existsSync(servicesDir)) return;
    for (const name of readdirSync(servicesDir)) {
      try { process.kill((JSON.parse(readFileSync(join(servicesDir, name, 'supervisor.json'), 'utf8')) as { pid: number }).pid, 'SIGTERM'); } catch { /* gone */ }
    }
  });

  it('contributes Open Monitoring on Deployments view services and the monitoring settings', async () => {
    await activatedApi();
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: { menus: Record<string, Array<{ command: string; when?: string }>>; configuration: { properties: Record<string, { default: unknown }> } };
    };
    const item = manifest.contributes.menus['view/item/context'].find((m) => m.command === 'modelcloud.openMonitoring');
    assert.match(item?.when ?? '', /view == modelcloud\.deployments/);
    const config = vscode.workspace.getConfiguration('modelcloud.monitoring');
    assert.equal(config.get('intervalSeconds'), 5);
    assert.deepEqual(config.get('alerts'), [{ metric: 'errorRate', above: 5, forSeconds: 30 }, { metric: 'p99', above: 1000, forSeconds: 60 }]);
  });

  it('polls a deployed service under load into samples with its throughput', async () => {
    const monitoring = await monitoringApi();
    const deployed = await vscode.commands.executeCommand<DeployResult | undefined>('modelcloud.deployService',
      vscode.Uri.file(join(workspaceRoot(), 'services', ECHO, 'cloud_model.py')), { target: 'local' });
    assert.ok(deployed?.url, 'Deploy Service returned no URL: see the Modelcloud output');
    url = deployed.url;
    await monitoring.pollNow(); // baseline
    let sent = 0;
    const until = Date.now() + 2500;
    while (Date.now() < until) {
      const res = await fetch(`${url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'hi' }) });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      sent++;
    }
    const samples = await monitoring.pollNow();
    const mine = samples.filter((s) => s.service === ECHO);
    assert.equal(mine.length, 1, JSON.stringify(samples));
    // The extension's own 5 s poll may have taken part of the interval: at most what was sent here.
    assert.ok(mine[0].up, JSON.stringify(mine[0]));
    assert.ok(mine[0].requests <= sent, `${mine[0].requests} requests counted, ${sent} sent`);
    if (mine[0].requests > 0) {
      assert.ok(mine[0].rps > 0 && mine[0].p50 !== null, JSON.stringify(mine[0]));
      assert.equal(mine[0].errorRate, 0);
    }
  });

  it('Open Monitoring sends the dashboard the service\'s history from the store', async () => {
    const monitoring = await monitoringApi();
    await vscode.commands.executeCommand('modelcloud.openMonitoring', ECHO);
    const { value } = await waitFor('the dashboard state with points', () => {
      const s = monitoring.dashboardState();
      return s && s.selected === ECHO && s.points.some((p) => p.requests > 0) ? s : undefined;
    }, 30_000);
    assert.ok(value.targets.some((t) => t.key === ECHO && t.live));
    assert.equal(value.rangeMinutes, 15);
    assert.deepEqual(value.rules, ['error rate > 5% for 30 s', 'p99 latency > 1000 ms for 60 s']);
    assert.deepEqual(monitoring.firing(), []);
  });
});
