// The end of a log file, for failure excerpts.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** The last `lines` lines of a file ('' when it does not exist). Reads at most the last 64 KiB. */
export function tailFile(file: string, lines = 40): string {
  let text: string;
  try {
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      const length = Math.min(size, 64 * 1024);
      const buf = Buffer.alloc(length);
      readSync(fd, buf, 0, length, size - length);
      text = buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch { return ''; }
  const all = text.split('\n');
  if (all[all.length - 1] === '') all.pop();
  return all.slice(-lines).join('\n');
}
