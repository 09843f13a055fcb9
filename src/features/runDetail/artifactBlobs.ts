// Where Modelcloud keeps artifact bytes: <root>/.modelcloud/artifacts/<sha[0:2]>/<sha[2:]>,
// content-addressed so identical files logged by many runs are stored once.
import { join } from 'node:path';

const SHA256 = /^[0-9a-f]{64}$/;

/** The blob's path; throws for anything but a lowercase hex sha256 so no value can walk out of the folder. */
export function artifactBlobPath(storeDir: string, sha256: string): string {
  if (!SHA256.test(sha256)) {
    throw new Error(`"${sha256}" is not a sha256 (64 lowercase hex digits); the artifact record in the tracking store is damaged.`);
  }
  return join(storeDir, 'artifacts', sha256.slice(0, 2), sha256.slice(2));
}
