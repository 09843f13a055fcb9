// The dashboard's buttons. Pause / Resume / Stop / Roll Back drive the router's admin endpoints;
// Promote Winner moves the registry alias (and stage) to the winner's model version and redeploys
// the services that follow the alias (see README "A/B dashboard" for what Promote means when the
// variants are plain services). Each returns the notice shown under the buttons.
import * as vscode from 'vscode';
import type { RegistryStore } from '../../platform/registry/registryStore';
import { promotePlan } from '../../core/abtest/dashboardModel';
import type { AbAction, AbLiveMessage } from '../../protocol/abDashboard';
import type { AbSources } from './abSources';

export interface AbActionDeps {
  sources: AbSources;
  registry: RegistryStore | undefined;
  log: (line: string) => void;
  /** Modal confirmation; tests replace it. */
  confirm(message: string, detail: string, button: string): Promise<boolean>;
  /** Picks a variant when there is no significant winner; tests replace it. */
  pickVariant(title: string, names: string[]): Promise<string | undefined>;
}

export async function runAbAction(deps: AbActionDeps, experiment: string, action: AbAction, last: AbLiveMessage | undefined): Promise<string | undefined> {
  const { routers } = deps.sources;
  switch (action) {
    case 'pause':
      await routers.require(experiment).pause();
      return 'Paused: the control serves every request; traffic is not counted in the experiment.';
    case 'resume':
      await routers.require(experiment).resume();
      return 'Resumed: users are assigned to their variants again.';
    case 'rollback': {
      if (!await deps.confirm(`Roll back "${experiment}"?`, `The experiment ends and the router sends 100 % of the traffic to the control${last ? ` (${last.control})` : ''}. This cannot be resumed.`, 'Roll Back')) return undefined;
      const state = await routers.require(experiment).stopExperiment();
      return `Rolled back: the experiment ended and the router sends every request to ${state.control}.`;
    }
    case 'stop': {
      if (!await deps.confirm(`Stop "${experiment}"?`, 'The experiment ends and the router process shuts down; clients must call the services directly again. The results stay in the store.', 'Stop')) return undefined;
      const state = await routers.stop(experiment);
      return `Stopped: the experiment ended and its router shut down (${state.variants.reduce((a, v) => a + v.requests, 0)} requests routed).`;
    }
    case 'promote':
      return promote(deps, experiment, last);
  }
}

async function promote(deps: AbActionDeps, experiment: string, last: AbLiveMessage | undefined): Promise<string | undefined> {
  const names = last?.variants.map((v) => v.name) ?? [];
  let winner = last?.verdict.winner ?? undefined;
  if (!winner) {
    winner = await deps.pickVariant(
      `No significant winner at the planned sample size (${last?.verdict.message ?? 'no result'}). Promote which variant anyway?`, names);
    if (!winner) return undefined;
  }
  const plan = deps.sources.plan(experiment);
  const services = await deps.sources.services();
  const what = promotePlan(winner, plan, services);
  if (what.kind === 'service') {
    const detail = `"${winner}" is a plain service (not bound to a registry model version), so there is no alias to move. ` +
      `Promote ends the experiment, shuts the router down and copies ${what.url ?? 'the winner\'s URL'} so you can point clients at it.`;
    if (!await deps.confirm(`Promote "${winner}"?`, detail, 'Promote')) return undefined;
    if (deps.sources.routers.connect(experiment)) await deps.sources.routers.stop(experiment);
    if (what.url) await vscode.env.clipboard.writeText(what.url);
    return `Promoted ${winner}: the experiment ended and the router shut down. Point clients at ${what.url ?? winner} (copied).`;
  }
  if (!deps.registry) throw new Error('the model registry is unavailable (see the Modelcloud output), so the alias cannot move');
  const followers = what.followers.length ? `redeploy ${what.followers.join(', ')} (deployed from models:/${what.model}@${what.alias})` : `no service is deployed from models:/${what.model}@${what.alias} yet, so nothing is redeployed`;
  const detail = `Moves ${what.model}@${what.alias} to version ${what.version}, moves version ${what.version} to Production (the previous Production version is archived), ${followers}, then ends the experiment (the router sends everything to the control).`;
  if (!await deps.confirm(`Promote "${winner}" (${what.model} v${what.version})?`, detail, 'Promote')) return undefined;
  deps.registry.setAlias(what.model, what.version, what.alias);
  deps.registry.transitionStage(what.model, what.version, 'Production', { archiveExisting: true, reason: `promoted by A/B experiment ${experiment}` });
  deps.log(`A/B ${experiment}: moved ${what.model}@${what.alias} to v${what.version} (Production)`);
  const redeployed: string[] = [];
  const manager = deps.sources.manager;
  if (what.followers.length && manager) {
    const statuses = await manager.list();
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Promoting ${winner}` }, async (progress) => {
      for (const name of what.followers) {
        const s = statuses.find((x) => x.name === name);
        if (!s) continue;
        progress.report({ message: `redeploying ${name}` });
        const result = await manager.deploy({ dir: s.dir, target: s.target, port: s.port, workers: s.workers, name: s.name, model: s.modelOverride }, (m) => deps.log(`A/B promote, ${name}: ${m}`));
        redeployed.push(`${name} r${result.revision}`);
      }
    });
  }
  const client = deps.sources.routers.connect(experiment);
  if (client && (await client.state()).status !== 'stopped') await client.stopExperiment();
  return `Promoted ${winner}: ${what.model}@${what.alias} → v${what.version} (Production)` +
    (redeployed.length ? `; redeployed ${redeployed.join(', ')}` : `; no service follows models:/${what.model}@${what.alias}, deploy one to serve it`) +
    '; the experiment ended.';
}
