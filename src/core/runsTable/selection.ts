// Multi-selection of table rows by click, shift/ctrl-click and keyboard. Rows are identified by
// run id (stable across refetches and live updates); the anchor and focus are row indexes in the
// current order. Pure: the webview keeps one RowSelection and replaces it on every input.

export interface RowSelection {
  selected: ReadonlySet<string>;
  /** Where a shift-range starts. */
  anchor: number | undefined;
  /** The row with keyboard focus. */
  focus: number | undefined;
}

export const EMPTY_SELECTION: RowSelection = { selected: new Set(), anchor: undefined, focus: undefined };

export interface Modifiers {
  shift?: boolean;
  /** Ctrl on Windows/Linux, Cmd on macOS. */
  toggle?: boolean;
}

/** id of the row at an index, undefined when that row is not loaded. */
export type IdAt = (index: number) => string | undefined;

export function clickRow(state: RowSelection, index: number, idAt: IdAt, mods: Modifiers = {}): RowSelection {
  const id = idAt(index);
  if (id === undefined) return state;
  if (mods.shift && state.anchor !== undefined) {
    const range = idsInRange(state.anchor, index, idAt);
    const selected = mods.toggle ? new Set([...state.selected, ...range]) : new Set(range);
    return { selected, anchor: state.anchor, focus: index };
  }
  if (mods.toggle) {
    const selected = new Set(state.selected);
    if (selected.has(id)) selected.delete(id);
    else selected.add(id);
    return { selected, anchor: index, focus: index };
  }
  return { selected: new Set([id]), anchor: index, focus: index };
}

/**
 * Arrow keys: moves focus by `delta` (clamped to [0, total)). Plain arrows move focus and
 * select the focused row; with shift the range from the anchor grows or shrinks.
 */
export function moveFocus(state: RowSelection, delta: number, total: number, idAt: IdAt, mods: { shift?: boolean } = {}): RowSelection {
  if (total <= 0) return state;
  const from = state.focus ?? (delta > 0 ? -1 : total);
  const focus = Math.max(0, Math.min(total - 1, from + delta));
  if (mods.shift) {
    const anchor = state.anchor ?? focus;
    return { selected: new Set(idsInRange(anchor, focus, idAt)), anchor, focus };
  }
  const id = idAt(focus);
  return { selected: id === undefined ? new Set() : new Set([id]), anchor: focus, focus };
}

/** Space: toggles the focused row without touching the rest of the selection. */
export function toggleFocused(state: RowSelection, idAt: IdAt): RowSelection {
  if (state.focus === undefined) return state;
  return clickRow(state, state.focus, idAt, { toggle: true });
}

/** Drops selected ids that are no longer in the table (a run deleted, a filter changed). */
export function retainSelected(state: RowSelection, stillPresent: (id: string) => boolean): RowSelection {
  const selected = new Set([...state.selected].filter(stillPresent));
  return selected.size === state.selected.size ? state : { ...state, selected };
}

function idsInRange(a: number, b: number, idAt: IdAt): string[] {
  const ids: string[] = [];
  for (let i = Math.min(a, b); i <= Math.max(a, b); i++) {
    const id = idAt(i);
    if (id !== undefined) ids.push(id);
  }
  return ids;
}
