// Where things live inside a remote. Blobs are content-addressed (shared by every version of
// every model, so a re-push of unchanged files uploads nothing); manifests are per version and
// written once (conditional put), aliases are a small per-model document.
//   <prefix>/blobs/sha256/<hex>
//   <prefix>/models/<name>/versions/<n>.json
//   <prefix>/models/<name>/aliases.json

const SHA256_HEX = /^[0-9a-f]{64}$/;
// Model names become one key segment: no '/', nothing S3 or a shell would mangle.
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function join(prefix: string, rest: string): string {
  return prefix ? `${prefix}/${rest}` : rest;
}

export function assertSha256(sha: string): void {
  if (!SHA256_HEX.test(sha)) throw new Error(`invalid sha256 '${sha}': expected 64 lowercase hex digits`);
}

export function assertModelName(name: string): void {
  if (!MODEL_NAME.test(name)) {
    throw new Error(`invalid model name '${name}' for a remote: use letters, digits, '.', '_' or '-' (max 128, no '/')`);
  }
}

export function blobKey(prefix: string, sha256: string): string {
  assertSha256(sha256);
  return join(prefix, `blobs/sha256/${sha256}`);
}

export function versionManifestKey(prefix: string, name: string, version: number): string {
  assertModelName(name);
  if (!Number.isInteger(version) || version < 1) throw new Error(`invalid version ${version}: expected a positive integer`);
  return join(prefix, `models/${name}/versions/${version}.json`);
}

export function aliasesKey(prefix: string, name: string): string {
  assertModelName(name);
  return join(prefix, `models/${name}/aliases.json`);
}

/** The local artifact store's path of a blob, relative to storeDir (the Python client's layout). */
export function localBlobRelPath(sha256: string): string {
  assertSha256(sha256);
  return `artifacts/${sha256.slice(0, 2)}/${sha256.slice(2)}`;
}
