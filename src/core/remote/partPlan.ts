// Multipart upload planning. S3 limits: parts 5 MiB..5 GiB (the last may be smaller), at most
// 10,000 parts. We keep parts at a preferred size for small-to-mid files (good parallelism,
// cheap retries) and grow them for huge files so the part count stays under the limit.

export const MIB = 1024 * 1024;
export const MIN_PART_SIZE = 5 * MIB;
export const MAX_PART_SIZE = 5 * 1024 * MIB;
export const MAX_PARTS = 10_000;
/** Files at or above this size go multipart; below it a single PUT is cheaper. */
export const DEFAULT_MULTIPART_THRESHOLD = 16 * MIB;
export const DEFAULT_PART_SIZE = 8 * MIB;

export interface PartRange {
  /** 1-based, as S3 numbers parts. */
  partNumber: number;
  start: number;
  /** Exclusive. */
  end: number;
}

export function choosePartSize(fileSize: number, preferred = DEFAULT_PART_SIZE): number {
  if (!Number.isFinite(fileSize) || fileSize < 0) throw new Error(`invalid file size ${fileSize}`);
  const minForCount = Math.ceil(fileSize / MAX_PARTS);
  // Round up to whole MiB so part boundaries are stable across runs (resume depends on that).
  const size = Math.max(MIN_PART_SIZE, preferred, Math.ceil(minForCount / MIB) * MIB);
  if (size > MAX_PART_SIZE) throw new Error(`file of ${fileSize} bytes is too large for S3 multipart (max ${MAX_PARTS} parts of 5 GiB)`);
  return size;
}

export function planParts(fileSize: number, partSize = choosePartSize(fileSize)): PartRange[] {
  if (partSize < MIN_PART_SIZE && fileSize > partSize) throw new Error(`part size ${partSize} is below the S3 minimum of 5 MiB`);
  const parts: PartRange[] = [];
  for (let start = 0, n = 1; start < fileSize || n === 1; start += partSize, n++) {
    parts.push({ partNumber: n, start, end: Math.min(fileSize, start + partSize) });
    if (fileSize === 0) break;
  }
  if (parts.length > MAX_PARTS) throw new Error(`${parts.length} parts exceed the S3 limit of ${MAX_PARTS}`);
  return parts;
}
