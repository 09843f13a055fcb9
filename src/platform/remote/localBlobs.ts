// The workspace artifact store: blobs content-addressed at `<storeDir>/artifacts/<sha[:2]>/<sha[2:]>`
// (the Python client's layout, src/python/modelcloud/_store.py).
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { localBlobRelPath } from '../../core/remote/keyLayout';

export function localBlobPath(storeDir: string, sha256: string): string {
  return join(storeDir, localBlobRelPath(sha256));
}

export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024, signal })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** True when the blob is present locally with the expected size and content. */
export async function hasValidLocalBlob(storeDir: string, sha256: string, size: number, signal?: AbortSignal): Promise<boolean> {
  const path = localBlobPath(storeDir, sha256);
  if (!existsSync(path) || statSync(path).size !== size) return false;
  return (await sha256File(path, signal)) === sha256;
}
