// What the Deployments view and the status bar say about services and revisions. Pure (no
// vscode import) so the wording is the same in the tree, the tooltips and the status bar.
import type { Revision, ServiceState, ServiceStatus } from '../../platform/deploy/serviceManager.api';

/** Worst first: the status bar shows the worst state of all services. */
const SEVERITY: Record<ServiceState, number> = { failed: 4, degraded: 3, starting: 2, stopped: 1, healthy: 0 };

export function worstState(services: readonly ServiceStatus[]): ServiceState | undefined {
  let worst: ServiceState | undefined;
  for (const s of services) if (worst === undefined || SEVERITY[s.state] > SEVERITY[worst]) worst = s.state;
  return worst;
}

/** "2 healthy", "3 services, 1 degraded": the count of services and, when not all are healthy, the worst state. */
export function statusBarSummary(services: readonly ServiceStatus[]): string {
  const worst = worstState(services);
  if (worst === undefined) return 'no services';
  if (services.every((s) => s.state === worst)) return `${services.length} ${worst}`;
  const count = services.filter((s) => s.state === worst).length;
  return `${services.length} ${services.length === 1 ? 'service' : 'services'}, ${count} ${worst}`;
}

export function isRunning(state: ServiceState): boolean {
  return state === 'healthy' || state === 'degraded' || state === 'starting';
}

/** "healthy · r3 · models:/wine/3 · http://127.0.0.1:8080" */
export function serviceDescription(s: ServiceStatus): string {
  const parts: string[] = [s.state];
  if (s.revision !== undefined) parts.push(`r${s.revision}`);
  if (s.modelVersion) parts.push(s.modelVersion);
  if (s.url && isRunning(s.state)) parts.push(s.url);
  return parts.join(' · ');
}

/** Markdown for the service's tooltip. */
export function serviceTooltip(s: ServiceStatus): string {
  const rows: Array<[string, string | number | undefined]> = [
    ['State', s.state],
    ['URL', s.url],
    ['Target', s.target],
    ['Revision', s.revision],
    ['Model version', s.modelVersion],
    ['Workers', s.workers],
    ['Folder', s.dir],
  ];
  const lines = [`**${escapeMarkdown(s.name)}**`, ''];
  for (const [key, value] of rows) if (value !== undefined && value !== '') lines.push(`${key}: \`${String(value)}\`  `);
  if (s.lastError) lines.push('', `Last error: ${escapeMarkdown(s.lastError)}`);
  return lines.join('\n');
}

export function shortDigest(digest: string): string {
  const hex = digest.replace(/^sha256:/, '');
  return hex.slice(0, 12);
}

/** "active · local · 1a2b3c4d5e6f · models:/wine/3 · 5 min ago" (a failed revision ends with its reason). */
export function revisionDescription(r: Revision, now: number): string {
  const parts: string[] = [r.status, r.target];
  if (r.digest) parts.push(shortDigest(r.digest));
  if (r.modelVersion) parts.push(r.modelVersion);
  parts.push(timeAgo(r.createdAt, now));
  if (r.status === 'failed' && r.reason) parts.push(r.reason);
  return parts.join(' · ');
}

export function revisionTooltip(r: Revision): string {
  const lines = [
    `**${escapeMarkdown(r.service)} r${r.revision}** (${r.status})`, '',
    `Target: \`${r.target}\`  `,
    `Digest: \`${r.digest}\`  `,
  ];
  if (r.modelVersion) lines.push(`Model version: \`${r.modelVersion}\`  `);
  lines.push(`Deployed: ${new Date(r.createdAt).toLocaleString()}  `);
  // Scalars only: nested parts (the revision's environment) may hold values that are not for display.
  const config = Object.entries(r.config).filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v));
  if (config.length > 0) lines.push(`Config: ${config.map(([k, v]) => `\`${k}=${String(v)}\``).join(', ')}  `);
  if (r.reason) lines.push('', `Reason: ${escapeMarkdown(r.reason)}`);
  return lines.join('\n');
}

/** "just now", "5 min ago", "3 h ago", "2 d ago"; timestamps are epoch milliseconds. */
export function timeAgo(then: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} d ago`;
}

export const MAX_WORKERS = 64;

/** Validates the Scale Workers input; undefined means valid. */
export function workersInputError(value: string): string | undefined {
  const text = value.trim();
  if (!/^\d+$/.test(text)) return 'Type a whole number of worker processes, e.g. 2.';
  const n = Number(text);
  if (n < 1) return 'A service needs at least 1 worker; use Stop to stop it.';
  if (n > MAX_WORKERS) return `At most ${MAX_WORKERS} workers (each is a full Python process holding the model).`;
  return undefined;
}

/** Validates the Deploy port input: blank (a free port is chosen) or 1024–65535. */
export function portInputError(value: string): string | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  if (!/^\d+$/.test(text)) return 'Type a port number such as 9000, or leave it blank for a free port.';
  const n = Number(text);
  if (n < 1024 || n > 65535) return 'Choose a port from 1024 to 65535 (lower ports need root), or leave it blank.';
  return undefined;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
