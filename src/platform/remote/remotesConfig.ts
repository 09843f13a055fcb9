// Named remotes in `<storeDir>/remotes.json`. No credentials here, ever: the S3 client takes
// them from the AWS default chain (env AWS_ACCESS_KEY_ID/..., ~/.aws/credentials, profiles),
// so the file can be shared or committed without leaking secrets.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseS3Url } from '../../core/remote/s3Url';

export interface RemoteConfig {
  name: string;
  /** s3://bucket/prefix */
  url: string;
  /** S3-compatible endpoint (Ceph, MinIO, ...); absent for AWS itself. */
  endpoint?: string;
  region?: string;
  /** Path-style addressing (bucket in the path); defaults to true when an endpoint is set. */
  pathStyle?: boolean;
  readOnly?: boolean;
}

export const REMOTES_FILE = 'remotes.json';
const REMOTE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function remotesPath(storeDir: string): string {
  return join(storeDir, REMOTES_FILE);
}

export function loadRemotes(storeDir: string): RemoteConfig[] {
  const path = remotesPath(storeDir);
  if (!existsSync(path)) return [];
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message}); fix or delete the file`);
  }
  const list = (doc as { remotes?: unknown }).remotes;
  if (!Array.isArray(list)) throw new Error(`${path}: expected {"remotes": [...]}; fix or delete the file`);
  return list.map((r, i) => validateRemote(r, `${path}: remotes[${i}]`));
}

export function getRemote(storeDir: string, name: string): RemoteConfig {
  const all = loadRemotes(storeDir);
  const found = all.find((r) => r.name === name);
  if (!found) {
    throw new Error(`no remote named '${name}' (known: ${all.map((r) => r.name).join(', ') || 'none'}); ` +
      `add one with 'modelcloud remote add ${name} s3://bucket/prefix'`);
  }
  return found;
}

/** Adds or replaces a remote; the file is written atomically so a crash never leaves half of it. */
export function saveRemote(storeDir: string, remote: RemoteConfig): void {
  const checked = validateRemote(remote, `remote '${remote.name}'`);
  const others = loadRemotes(storeDir).filter((r) => r.name !== checked.name);
  const path = remotesPath(storeDir);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ remotes: [...others, checked] }, null, 2)}\n`);
  renameSync(tmp, path);
}

function validateRemote(value: unknown, where: string): RemoteConfig {
  const r = value as Record<string, unknown>;
  if (typeof value !== 'object' || value === null) throw new Error(`${where}: expected an object`);
  if (typeof r.name !== 'string' || !REMOTE_NAME.test(r.name)) throw new Error(`${where}: name must be letters, digits, '.', '_' or '-'`);
  if (typeof r.url !== 'string') throw new Error(`${where}: url must be an s3:// URL`);
  parseS3Url(r.url);
  if (r.endpoint !== undefined && (typeof r.endpoint !== 'string' || !/^https?:\/\/[^/]+/.test(r.endpoint))) {
    throw new Error(`${where}: endpoint must be an http(s):// URL, got '${String(r.endpoint)}'`);
  }
  for (const key of ['accessKeyId', 'secretAccessKey', 'sessionToken', 'credentials']) {
    if (key in r) throw new Error(`${where}: credentials do not belong in ${REMOTES_FILE}; use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or ~/.aws/credentials`);
  }
  const out: RemoteConfig = { name: r.name, url: r.url };
  if (typeof r.endpoint === 'string') out.endpoint = r.endpoint;
  if (typeof r.region === 'string') out.region = r.region;
  if (typeof r.pathStyle === 'boolean') out.pathStyle = r.pathStyle;
  if (r.readOnly === true) out.readOnly = true;
  return out;
}
