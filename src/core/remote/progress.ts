// Transfer progress and ETA. The rate is measured over the bytes moved in this session only
// (bytes skipped because the remote already had them arrive instantly and would make the ETA
// far too optimistic).

export interface TransferProgress {
  bytesDone: number;
  bytesTotal: number;
  /** undefined until there is a rate to extrapolate from. */
  etaSeconds: number | undefined;
}

export interface ProgressTracker {
  /** Bytes that need no transfer (already remote / already local). */
  skip(bytes: number): void;
  /** Bytes actually transferred. */
  add(bytes: number): void;
  snapshot(nowMs: number): TransferProgress;
}

export function etaSeconds(bytesRemaining: number, bytesMoved: number, elapsedMs: number): number | undefined {
  if (bytesRemaining <= 0) return 0;
  if (bytesMoved <= 0 || elapsedMs <= 0) return undefined;
  const perMs = bytesMoved / elapsedMs;
  return Math.ceil(bytesRemaining / perMs / 1000);
}

export function createProgressTracker(bytesTotal: number, startMs: number): ProgressTracker {
  let skipped = 0;
  let moved = 0;
  return {
    skip(bytes) { skipped += bytes; },
    add(bytes) { moved += bytes; },
    snapshot(nowMs) {
      const done = Math.min(bytesTotal, skipped + moved);
      return { bytesDone: done, bytesTotal, etaSeconds: etaSeconds(bytesTotal - done, moved, nowMs - startMs) };
    },
  };
}
