// Where team sync keeps things inside a remote (next to push's blobs/ and models/):
//   <prefix>/sync/runs/<run_id>.jsonl            a run log, written only by the client that logged it
//   <prefix>/sync/events/<client>/<seq>.json     an immutable batch of registry events (seq zero-padded)
// Version numbers are claimed where push writes manifests (<prefix>/models/<name>/versions/<n>.json),
// so push and sync share one numbering authority and a synced version can be pulled with `modelcloud pull`.

const CLIENT_ID = /^[0-9a-f]{16,64}$/;
const RUN_ID = /^[A-Za-z0-9_-]{1,128}$/;
const SEQ_DIGITS = 10;

function join(prefix: string, rest: string): string {
  return prefix ? `${prefix}/${rest}` : rest;
}

export function isClientId(id: string): boolean {
  return CLIENT_ID.test(id);
}

export function syncRunsPrefix(prefix: string): string {
  return join(prefix, 'sync/runs/');
}

export function syncRunKey(prefix: string, runId: string): string {
  if (!RUN_ID.test(runId)) throw new Error(`invalid run id '${runId}' for a sync key: letters, digits, '_' or '-' only`);
  return `${syncRunsPrefix(prefix)}${runId}.jsonl`;
}

/** The run id of a key under syncRunsPrefix, or undefined for anything else there. */
export function runIdOfKey(prefix: string, key: string): string | undefined {
  const rest = key.slice(syncRunsPrefix(prefix).length);
  const m = /^([A-Za-z0-9_-]{1,128})\.jsonl$/.exec(rest);
  return key.startsWith(syncRunsPrefix(prefix)) && m ? m[1] : undefined;
}

export function syncEventsPrefix(prefix: string): string {
  return join(prefix, 'sync/events/');
}

export function clientEventsPrefix(prefix: string, client: string): string {
  if (!isClientId(client)) throw new Error(`invalid sync client id '${client}'`);
  return `${syncEventsPrefix(prefix)}${client}/`;
}

export function eventBatchKey(prefix: string, client: string, seq: number): string {
  if (!Number.isInteger(seq) || seq < 1 || seq >= 10 ** SEQ_DIGITS) throw new Error(`invalid event batch number ${seq}`);
  return `${clientEventsPrefix(prefix, client)}${String(seq).padStart(SEQ_DIGITS, '0')}.json`;
}

/** The batch number of a key under clientEventsPrefix, or undefined. */
export function seqOfKey(prefix: string, client: string, key: string): number | undefined {
  const rest = key.slice(clientEventsPrefix(prefix, client).length);
  return /^\d{10}\.json$/.test(rest) && key.startsWith(clientEventsPrefix(prefix, client)) ? Number(rest.slice(0, SEQ_DIGITS)) : undefined;
}
