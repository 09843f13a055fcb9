// The version file manifest shared by the registry, the CLI and remotes (issue #5 contract),
// validated when read from a file or a remote so a bad document fails with where and what.
import { assertModelName, assertSha256 } from './keyLayout';

export interface ManifestFile {
  path: string;
  sha256: string;
  size: number;
}

export interface VersionManifest {
  name: string;
  version: number;
  files: ManifestFile[];
  runId?: string | null;
  stage?: string;
  aliases?: string[];
  signature?: unknown;
  flavor?: string;
  createdMs?: number;
}

export function parseVersionManifest(text: string, where: string): VersionManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: not valid JSON (${(e as Error).message})`);
  }
  return validateVersionManifest(doc, where);
}

export function validateVersionManifest(doc: unknown, where: string): VersionManifest {
  const fail = (what: string): never => { throw new Error(`${where}: invalid version manifest: ${what}`); };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail('expected a JSON object');
  const m = doc as Record<string, unknown>;
  if (typeof m.name !== 'string') fail('"name" must be a string');
  try { assertModelName(m.name as string); } catch (e) { fail((e as Error).message); }
  if (typeof m.version !== 'number' || !Number.isInteger(m.version) || m.version < 1) fail('"version" must be a positive integer');
  if (!Array.isArray(m.files)) fail('"files" must be an array');
  const seen = new Set<string>();
  (m.files as unknown[]).forEach((f, i) => {
    const file = f as Record<string, unknown>;
    if (typeof f !== 'object' || f === null) fail(`files[${i}] must be an object`);
    if (typeof file.path !== 'string' || !isSafeRelativePath(file.path)) fail(`files[${i}].path must be a relative path without '..'`);
    if (typeof file.sha256 !== 'string') fail(`files[${i}].sha256 must be a string`);
    try { assertSha256(file.sha256 as string); } catch (e) { fail(`files[${i}]: ${(e as Error).message}`); }
    if (typeof file.size !== 'number' || !Number.isInteger(file.size) || file.size < 0) fail(`files[${i}].size must be a non-negative integer`);
    if (seen.has(file.path as string)) fail(`files[${i}].path '${String(file.path)}' appears twice`);
    seen.add(file.path as string);
  });
  return m as unknown as VersionManifest;
}

/** Materialised files must stay inside the target folder. */
export function isSafeRelativePath(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.includes('\\') || /^[A-Za-z]:/.test(path)) return false;
  return path.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

/** Canonical bytes of a manifest, so "identical content" on a 412 compares meaning, not key order. */
export function canonicalManifestJson(m: VersionManifest): string {
  return `${JSON.stringify(sortKeys(m), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/** Unique blobs of a manifest (two paths may share content). */
export function uniqueBlobs(m: VersionManifest): ManifestFile[] {
  const bySha = new Map<string, ManifestFile>();
  for (const f of m.files) if (!bySha.has(f.sha256)) bySha.set(f.sha256, f);
  return [...bySha.values()];
}
