import { strict as assert } from 'node:assert';
import { pagesForRange, scrollTopToReveal, visibleWindow } from '../../../src/core/runsTable/virtualWindow';

describe('runs table virtual window', () => {
  const base = { rowHeight: 24, viewportHeight: 240, overscan: 5 };

  it('renders the visible rows plus overscan at the top', () => {
    const w = visibleWindow({ ...base, scrollTop: 0, total: 100_000 });
    assert.deepEqual(w, { start: 0, end: 15, offsetTop: 0, contentHeight: 2_400_000 });
  });

  it('renders overscan on both sides in the middle, with a partly visible row counted', () => {
    const w = visibleWindow({ ...base, scrollTop: 24 * 1000 + 10, total: 100_000 });
    // rows 1000..1010 are (partly) visible: 10 px into row 1000, 240 px high → row 1010 is cut
    assert.equal(w.start, 995);
    assert.equal(w.end, 1016);
    assert.equal(w.offsetTop, 995 * 24);
  });

  it('clamps at the end and after the list shrank under a stale scrollTop', () => {
    const atEnd = visibleWindow({ ...base, scrollTop: 24 * 90, total: 100 });
    assert.equal(atEnd.end, 100);
    const shrunk = visibleWindow({ ...base, scrollTop: 24 * 5000, total: 20 });
    assert.equal(shrunk.end, 20);
    assert.ok(shrunk.start <= 10, 'the last screenful is rendered');
  });

  it('handles empty lists, tiny viewports and nonsense input', () => {
    assert.deepEqual(visibleWindow({ ...base, scrollTop: 0, total: 0 }), { start: 0, end: 0, offsetTop: 0, contentHeight: 0 });
    const zero = visibleWindow({ ...base, viewportHeight: 0, scrollTop: 0, total: 10, overscan: 0 });
    assert.deepEqual([zero.start, zero.end], [0, 1]);
    const nan = visibleWindow({ ...base, scrollTop: Number.NaN, total: 10 });
    assert.equal(nan.start, 0);
    const negative = visibleWindow({ ...base, scrollTop: -500, total: 10 });
    assert.equal(negative.start, 0);
  });

  it('lists the pages covering a range', () => {
    assert.deepEqual(pagesForRange(0, 15, 100), [0]);
    assert.deepEqual(pagesForRange(95, 205, 100), [0, 1, 2]);
    assert.deepEqual(pagesForRange(200, 200, 100), []);
  });

  it('scrolls minimally to reveal a row', () => {
    assert.equal(scrollTopToReveal(5, 0, 240, 24), 0);
    assert.equal(scrollTopToReveal(20, 0, 240, 24), 21 * 24 - 240);
    assert.equal(scrollTopToReveal(2, 240, 240, 24), 48);
  });
});
