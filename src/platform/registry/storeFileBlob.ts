// Copies a file into the workspace artifact store, content-addressed like the Python client's
// store_artifact (src/python/modelcloud/_store.py): `<storeDir>/artifacts/<sha[:2]>/<sha[2:]>`.
// The copy is hashed while it is written and renamed into place, so readers never see half a blob
// and a file that changes during the copy is stored under the hash of the bytes actually copied.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { dirname, join } from 'node:path';
import { localBlobPath } from '../remote/localBlobs';
import type { ModelFile } from './registryStore';

export async function storeFileBlob(storeDir: string, file: string): Promise<Omit<ModelFile, 'path'>> {
  if (!existsSync(file) || !statSync(file).isFile()) throw new Error(`cannot register ${file}: it is not a regular file`);
  const artifacts = join(storeDir, 'artifacts');
  mkdirSync(artifacts, { recursive: true });
  const tmp = join(artifacts, `.tmp-${randomBytes(6).toString('hex')}`);
  const hash = createHash('sha256');
  let size = 0;
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) { hash.update(chunk); size += chunk.length; done(null, chunk); },
  });
  try {
    await pipeline(createReadStream(file), hashing, createWriteStream(tmp));
    const sha256 = hash.digest('hex');
    const blob = localBlobPath(storeDir, sha256);
    if (existsSync(blob)) {
      rmSync(tmp, { force: true });
    } else {
      mkdirSync(dirname(blob), { recursive: true });
      renameSync(tmp, blob);
    }
    return { sha256, size };
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}
