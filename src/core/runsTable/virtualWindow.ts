// Virtual scrolling math for the runs table: which rows to put in the DOM for a scroll position,
// and which pages to fetch from the host for them. Pure, so the webview and the tests share it.

export interface WindowInput {
  scrollTop: number;
  viewportHeight: number;
  /** Fixed height of every row, px. */
  rowHeight: number;
  total: number;
  /** Extra rows rendered above and below the viewport so fast scrolling does not show gaps. */
  overscan: number;
}

export interface RowWindow {
  /** First row index rendered (inclusive). */
  start: number;
  /** One past the last row index rendered. */
  end: number;
  /** Where the first rendered row sits, px from the top of the scroll content. */
  offsetTop: number;
  /** Height of the whole scroll content, px. */
  contentHeight: number;
}

export function visibleWindow(input: WindowInput): RowWindow {
  const total = Math.max(0, Math.floor(input.total));
  const rowHeight = input.rowHeight > 0 ? input.rowHeight : 1;
  const contentHeight = total * rowHeight;
  if (total === 0) return { start: 0, end: 0, offsetTop: 0, contentHeight: 0 };
  // A stale scrollTop (the list just shrank) must still give a window that shows the last rows.
  const maxScroll = Math.max(0, contentHeight - Math.max(0, input.viewportHeight));
  const scrollTop = Math.min(Math.max(0, Number.isFinite(input.scrollTop) ? input.scrollTop : 0), maxScroll);
  const overscan = Math.max(0, Math.floor(input.overscan));
  const firstVisible = Math.floor(scrollTop / rowHeight);
  const lastVisible = Math.ceil((scrollTop + Math.max(0, input.viewportHeight)) / rowHeight);
  const start = Math.max(0, firstVisible - overscan);
  const end = Math.min(total, Math.max(lastVisible, firstVisible + 1) + overscan);
  return { start, end, offsetTop: start * rowHeight, contentHeight };
}

/** Page numbers (offset = page × pageSize) covering rows [start, end). */
export function pagesForRange(start: number, end: number, pageSize: number): number[] {
  if (end <= start || pageSize <= 0) return [];
  const pages: number[] = [];
  for (let page = Math.floor(start / pageSize); page * pageSize < end; page++) pages.push(page);
  return pages;
}

/** The scrollTop that brings row `index` into view with as little movement as possible. */
export function scrollTopToReveal(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return scrollTop;
}
