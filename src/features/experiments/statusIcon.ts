// Run status → tree icon. Colours come from theme colours so they follow the user's theme.
import * as vscode from 'vscode';
import type { RunStatus } from '../../core/tracking/types';

export function runStatusIcon(status: RunStatus): vscode.ThemeIcon {
  switch (status) {
    case 'RUNNING': return new vscode.ThemeIcon('loading~spin');
    case 'FINISHED': return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'FAILED': return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'KILLED': return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground'));
    case 'SCHEDULED': return new vscode.ThemeIcon('clock');
  }
}
