// One digest for a model version's file list, so a deployed service can tell whether the version
// number it was pinned to still names the same files (a team sync renumbers a local version when
// a teammate published that number first). The Python side (modelcloud._registry.files_digest)
// computes the same value: sha256 over the sorted lines "<sha256>\0<path>", joined by "\n".
import { createHash } from 'node:crypto';

export const MODEL_FILES_DIGEST_CONFIG_KEY = 'modelFilesDigest';

export function modelFilesDigest(files: ReadonlyArray<{ path: string; sha256: string }>): string {
  const lines = files.map((f) => `${f.sha256}\0${f.path}`).sort();
  return createHash('sha256').update(lines.join('\n'), 'utf8').digest('hex');
}
