// The rows the webview holds: pages of runs fetched from the host on demand. Every request
// carries an id and the cache generation it was made for; a reply for an older generation
// (the query or the columns changed since) is dropped. Invalidation keeps the old rows on screen
// until their fresh copies arrive, so live updates never flash empty rows.
import type { RunRow } from '../../src/protocol/runsDashboard';

export const PAGE_SIZE = 100;

interface Page {
  rows: RunRow[];
  stale: boolean;
  pending: boolean;
}

export class RowCache {
  private pages = new Map<number, Page>();
  private generation = 0;
  private readonly inFlight = new Map<number, { page: number; generation: number }>();
  private nextId = 1;
  total = 0;

  /** Forget everything (new query or columns). */
  reset(total = 0): void {
    this.pages.clear();
    this.inFlight.clear();
    this.generation++;
    this.total = total;
  }

  /** The store changed: keep showing what we have, refetch on the next ensure(). */
  invalidate(total: number): void {
    this.total = total;
    for (const page of this.pages.values()) page.stale = true;
  }

  row(index: number): RunRow | undefined {
    return this.pages.get(Math.floor(index / PAGE_SIZE))?.rows[index % PAGE_SIZE];
  }

  idAt = (index: number): string | undefined => this.row(index)?.id;

  /** Whether any currently held row has this id (for pruning the selection). */
  has(id: string): boolean {
    for (const page of this.pages.values()) if (page.rows.some((r) => r.id === id)) return true;
    return false;
  }

  /** Starts requests for the pages that are missing or stale; returns (requestId, offset) pairs to send. */
  ensure(pages: number[]): Array<{ requestId: number; offset: number; limit: number }> {
    const requests: Array<{ requestId: number; offset: number; limit: number }> = [];
    for (const pageNo of pages) {
      const page = this.pages.get(pageNo);
      if (page && (!page.stale || page.pending)) continue;
      if (page) page.pending = true;
      else this.pages.set(pageNo, { rows: [], stale: false, pending: true });
      const requestId = this.nextId++;
      this.inFlight.set(requestId, { page: pageNo, generation: this.generation });
      requests.push({ requestId, offset: pageNo * PAGE_SIZE, limit: PAGE_SIZE });
    }
    return requests;
  }

  /** A request id outside the page bookkeeping (the filter probe, group requests). */
  newRequestId(): number {
    return this.nextId++;
  }

  /** A new generation whose first page is already known (the probe's reply). */
  seed(total: number, offset: number, rows: RunRow[]): void {
    this.reset(total);
    this.pages.set(Math.floor(offset / PAGE_SIZE), { rows, stale: false, pending: false });
  }

  /** Stores a reply; false when it was for an older generation or unknown. */
  accept(requestId: number, offset: number, total: number, rows: RunRow[]): boolean {
    const request = this.inFlight.get(requestId);
    this.inFlight.delete(requestId);
    if (!request || request.generation !== this.generation) return false;
    this.total = total;
    // Keep only pages that still exist after the list shrank.
    const pageNo = Math.floor(offset / PAGE_SIZE);
    this.pages.set(pageNo, { rows, stale: false, pending: false });
    for (const n of [...this.pages.keys()]) if (n * PAGE_SIZE >= total && n !== 0) this.pages.delete(n);
    return true;
  }

  /** A request failed (query error): let a later ensure() try again. */
  reject(requestId: number): void {
    const request = this.inFlight.get(requestId);
    this.inFlight.delete(requestId);
    if (!request) return;
    const page = this.pages.get(request.page);
    if (page && page.rows.length === 0) this.pages.delete(request.page);
    else if (page) page.pending = false;
  }
}
