// Shared by push and pull: a progress line on stderr at most once a second, and Ctrl-C turned
// into an abort (an interrupted push resumes where it stopped on the next run).
import type { TransferProgress } from '../../core/remote/progress';
import type { CliIo } from '../runCli';

export function progressPrinter(io: CliIo, verb: string): (p: TransferProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 1000 && p.bytesDone < p.bytesTotal) return;
    last = now;
    const mb = (n: number) => (n / 1e6).toFixed(1);
    io.err(`  ${verb} ${mb(p.bytesDone)}/${mb(p.bytesTotal)} MB${p.etaSeconds === undefined ? '' : `, ETA ${p.etaSeconds} s`}\n`);
  };
}

export async function withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    return await fn(controller.signal);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
