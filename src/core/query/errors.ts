// The one error the search language throws: what is wrong, where (offset and length of the
// offending token, so a UI can underline it and the CLI can put a caret under it), and how to fix it.

export class QuerySyntaxError extends Error {
  constructor(
    /** The text that was parsed (the filter or the order-by). */
    readonly query: string,
    /** 0-based offset of the offending token. */
    readonly offset: number,
    /** Its length in characters (at least 1 so there is always something to underline). */
    readonly length: number,
    /** What was wrong and how to fix it, without the position (the message adds "at column N"). */
    readonly reason: string,
  ) {
    super(`${reason} at column ${offset + 1}`);
    this.name = 'QuerySyntaxError';
  }

  /** 1-based column, as people count. */
  get column(): number {
    return this.offset + 1;
  }
}

/**
 * The query on one line and a caret line under the offending token, for terminals:
 *   metrics.f1 0.9
 *              ^^^
 * Long queries are cut around the token so the caret stays on screen.
 */
export function formatQueryError(error: QuerySyntaxError, width = 100): string {
  // Newlines and tabs would break the caret alignment: show them as spaces.
  const flat = error.query.replace(/[\r\n\t]/g, ' ');
  let start = 0;
  let end = flat.length;
  if (flat.length > width) {
    start = Math.max(0, Math.min(error.offset - Math.floor(width / 3), flat.length - width));
    end = Math.min(flat.length, start + width);
  }
  const prefix = start > 0 ? '…' : '';
  const suffix = end < flat.length ? '…' : '';
  const caretAt = prefix.length + Math.max(0, error.offset - start);
  const caretLength = Math.max(1, Math.min(error.length, end - Math.max(error.offset, start)));
  return `${prefix}${flat.slice(start, end)}${suffix}\n${' '.repeat(caretAt)}${'^'.repeat(caretLength)}`;
}
