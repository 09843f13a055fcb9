import { strict as assert } from 'node:assert';
import { clickRow, EMPTY_SELECTION, moveFocus, retainSelected, toggleFocused } from '../../../src/core/runsTable/selection';

const ids = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5'];
const idAt = (i: number): string | undefined => ids[i];
const sel = (s: { selected: ReadonlySet<string> }): string[] => [...s.selected].sort();

describe('runs table selection', () => {
  it('click selects one row; ctrl-click toggles; shift-click selects a range from the anchor', () => {
    let s = clickRow(EMPTY_SELECTION, 1, idAt);
    assert.deepEqual(sel(s), ['r1']);
    s = clickRow(s, 4, idAt, { shift: true });
    assert.deepEqual(sel(s), ['r1', 'r2', 'r3', 'r4']);
    s = clickRow(s, 2, idAt, { toggle: true });
    assert.deepEqual(sel(s), ['r1', 'r3', 'r4']);
    s = clickRow(s, 0, idAt, { shift: true });
    assert.deepEqual(sel(s), ['r0', 'r1', 'r2'], 'the range is re-anchored at the toggled row');
    s = clickRow(s, 5, idAt);
    assert.deepEqual(sel(s), ['r5']);
  });

  it('ignores clicks on rows that are not loaded', () => {
    const s = clickRow(EMPTY_SELECTION, 99, idAt);
    assert.equal(s, EMPTY_SELECTION);
  });

  it('arrows move focus and selection; shift+arrows extend; space toggles', () => {
    let s = moveFocus(EMPTY_SELECTION, 1, ids.length, idAt);
    assert.equal(s.focus, 0);
    assert.deepEqual(sel(s), ['r0']);
    s = moveFocus(s, 1, ids.length, idAt, { shift: true });
    s = moveFocus(s, 1, ids.length, idAt, { shift: true });
    assert.deepEqual(sel(s), ['r0', 'r1', 'r2']);
    s = moveFocus(s, -1, ids.length, idAt, { shift: true });
    assert.deepEqual(sel(s), ['r0', 'r1']);
    s = moveFocus(s, 100, ids.length, idAt);
    assert.equal(s.focus, 5);
    s = toggleFocused(s, idAt);
    assert.deepEqual(sel(s), []);
    s = toggleFocused(s, idAt);
    assert.deepEqual(sel(s), ['r5']);
    assert.equal(moveFocus(EMPTY_SELECTION, 1, 0, idAt), EMPTY_SELECTION);
  });

  it('drops runs that left the table', () => {
    const s = clickRow(clickRow(EMPTY_SELECTION, 0, idAt), 3, idAt, { shift: true });
    assert.deepEqual(sel(retainSelected(s, (id) => id !== 'r2')), ['r0', 'r1', 'r3']);
    assert.equal(retainSelected(s, () => true), s);
  });
});
