// The blobs a run log refers to (artifacts and model files, by sha256), so sync can upload them
// with the log and a teammate's copy of the run resolves its files from the remote.

export interface BlobRef { sha256: string; size: number }

const SHA = /^[0-9a-f]{64}$/;

export function blobsOfRunLog(text: string): BlobRef[] {
  const found = new Map<string, BlobRef>();
  const add = (sha: unknown, size: unknown): void => {
    if (typeof sha === 'string' && SHA.test(sha) && Number.isInteger(size) && (size as number) >= 0) found.set(sha, { sha256: sha, size: size as number });
  };
  for (const line of text.split('\n')) {
    // Cheap filter first: most lines are metrics.
    if (!line.includes('"sha256"')) continue;
    let e: { t?: unknown; sha256?: unknown; size?: unknown; files?: unknown };
    try { e = JSON.parse(line) as typeof e; } catch { continue; }
    if (e.t === 'artifact') add(e.sha256, e.size);
    if (e.t === 'model' && Array.isArray(e.files)) for (const f of e.files as Array<{ sha256?: unknown; size?: unknown }>) add(f?.sha256, f?.size);
  }
  return [...found.values()];
}
