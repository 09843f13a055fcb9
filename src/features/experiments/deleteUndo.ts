// Remembers soft deletes so they can be undone: from the notification's Undo button (that
// delete) or from "Undo Last Delete" (the most recent one, if the notification is gone).

export interface UndoableDelete {
  /** "run \"baseline\"" — used in messages. */
  readonly what: string;
  restore(): void;
}

/** Enough for "oops" moments; older deletes stay restorable from the store. */
const MAX_REMEMBERED = 20;

export class DeleteUndoStack {
  private readonly entries: UndoableDelete[] = [];

  remember(entry: UndoableDelete): void {
    this.entries.push(entry);
    if (this.entries.length > MAX_REMEMBERED) this.entries.shift();
  }

  /** Restores this delete if it was not undone already; returns whether it did. */
  undo(entry: UndoableDelete): boolean {
    const index = this.entries.indexOf(entry);
    if (index < 0) return false;
    this.entries.splice(index, 1);
    entry.restore();
    return true;
  }

  /** Restores the most recent delete; returns it, or undefined when there is none. */
  undoLast(): UndoableDelete | undefined {
    const entry = this.entries.pop();
    entry?.restore();
    return entry;
  }
}
