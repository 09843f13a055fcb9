// Reads complete lines of a growing file from a byte offset, a few MB at a time, so a big log
// never sits in memory whole and a line still being written is left for the next read.
import { open } from 'node:fs/promises';
import { createHash } from 'node:crypto';

export const CHUNK_BYTES = 4 * 1024 * 1024;
/** A single line longer than this is not a log line we can use; it is skipped and reported. */
const MAX_LINE_BYTES = 64 * 1024 * 1024;
const MIN_READ_BYTES = 64 * 1024;

export interface LineChunk {
  /** Complete lines, each ending in '\n'. Empty: one line over 64 MB was skipped (report it, count it). */
  text: string;
  /** Byte offset of text's first byte in the file. */
  start: number;
  /** Byte offset just after text's last '\n'. */
  end: number;
}

/**
 * Calls onChunk for each run of complete lines from `offset` on (awaiting it, so the caller can
 * commit before the next chunk is read). Returns the offset after the last complete line.
 */
export async function readCompleteLines(
  path: string, offset: number, onChunk: (chunk: LineChunk) => void | Promise<void>, chunkBytes = CHUNK_BYTES,
): Promise<{ end: number }> {
  const file = await open(path, 'r');
  try {
    let position = offset;
    // Most run logs are a few KB: size the buffer to what is there (a file that grows meanwhile
    // is still read whole, the loop doubles the buffer) instead of allocating 4 MB per file.
    const fileSize = (await file.stat()).size;
    const freshSize = (): number => Math.min(chunkBytes, Math.max(fileSize - position, MIN_READ_BYTES));
    let size = freshSize();
    for (;;) {
      const buffer = Buffer.allocUnsafe(size);
      const { bytesRead } = await file.read(buffer, 0, size, position);
      if (bytesRead === 0) return { end: position };
      const lastNewline = buffer.lastIndexOf(10, bytesRead - 1);
      if (lastNewline < 0) {
        if (bytesRead < size) return { end: position }; // an unfinished last line: wait for its '\n'
        if (size >= MAX_LINE_BYTES) {
          // Skip past the monster line so the rest of the file still gets read.
          const skipTo = await findNextNewline(file, position + bytesRead);
          if (skipTo === undefined) return { end: position };
          await onChunk({ text: '', start: position, end: skipTo });
          position = skipTo;
          size = freshSize();
          continue;
        }
        size *= 2; // one line longer than a chunk: read more at once
        continue;
      }
      const end = position + lastNewline + 1;
      await onChunk({ text: buffer.toString('utf8', 0, lastNewline + 1), start: position, end });
      position = end;
      size = freshSize();
    }
  } finally {
    await file.close();
  }
}

async function findNextNewline(file: import('node:fs/promises').FileHandle, from: number): Promise<number | undefined> {
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let position = from;
  for (;;) {
    const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) return undefined;
    const index = buffer.indexOf(10);
    if (index >= 0 && index < bytesRead) return position + index + 1;
    position += bytesRead;
  }
}

/** sha1 of a file's first `length` bytes: tells a replaced file from a grown one. */
export async function headHash(path: string, length: number): Promise<string> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await file.read(buffer, 0, length, 0);
    return createHash('sha1').update(buffer.subarray(0, bytesRead)).digest('hex');
  } finally {
    await file.close();
  }
}

/** Bytes hashed by headHash for a cursor at `offset`. */
export function headLength(offset: number): number {
  return Math.min(offset, 256);
}
