// Turns alert events into notifications: one per incident (the evaluator debounces), with
// "Roll Back" (the Deployments view's rollback command, for services) and "Open Monitoring".
import * as vscode from 'vscode';
import type { AlertEvent } from '../../core/monitoring/alerts';
import { COMMAND } from '../commandIds';
import { ROUTER_KEY_PREFIX } from '../../platform/monitoring/targets';

export const ROLL_BACK = 'Roll Back';
export const OPEN_MONITORING = 'Open Monitoring';

export function notifyAlert(event: AlertEvent, log: (line: string) => void): void {
  log(`monitoring alert ${event.kind}: ${event.message}`);
  if (event.kind === 'resolve') {
    vscode.window.setStatusBarMessage(`$(pass) ${event.message}`, 10_000);
    return;
  }
  const isService = !event.service.startsWith(ROUTER_KEY_PREFIX);
  const actions = isService ? [ROLL_BACK, OPEN_MONITORING] : [OPEN_MONITORING];
  void vscode.window.showWarningMessage(event.message, ...actions).then(async (choice) => {
    if (choice === ROLL_BACK) await vscode.commands.executeCommand(COMMAND.serviceRollback, event.service);
    else if (choice === OPEN_MONITORING) await vscode.commands.executeCommand(COMMAND.openMonitoring, event.service);
  });
}
