import * as assert from 'node:assert/strict';
import { parseInline, parseNoteMarkdown } from '../../../src/core/charts/noteMarkdown';

describe('note markdown', () => {
  it('parses headings, paragraphs, lists and code blocks', () => {
    const blocks = parseNoteMarkdown('# Result\n\nBest run so far,\nbeats baseline.\n\n- depth 8\n- 100 trees\n\n1. retrain\n2. ship\n\n```\nx = 1\n```');
    assert.deepEqual(blocks.map((b) => b.kind), ['heading', 'paragraph', 'list', 'list', 'code']);
    assert.deepEqual(blocks[1], { kind: 'paragraph', children: [{ kind: 'text', text: 'Best run so far, beats baseline.' }] });
    assert.equal(blocks[2].kind === 'list' && blocks[2].ordered, false);
    assert.equal(blocks[3].kind === 'list' && blocks[3].items.length, 2);
    assert.deepEqual(blocks[4], { kind: 'code', text: 'x = 1' });
  });

  it('parses bold, italic, code and links (kept as text with their address)', () => {
    assert.deepEqual(parseInline('**big** and *small* `x<y` [docs](https://e.x/a)'), [
      { kind: 'strong', children: [{ kind: 'text', text: 'big' }] },
      { kind: 'text', text: ' and ' },
      { kind: 'em', children: [{ kind: 'text', text: 'small' }] },
      { kind: 'text', text: ' ' },
      { kind: 'code', text: 'x<y' },
      { kind: 'text', text: ' ' },
      { kind: 'link', children: [{ kind: 'text', text: 'docs' }], url: 'https://e.x/a' },
    ]);
  });

  it('leaves HTML and unclosed markers as literal text (rendered with textContent, never as markup)', () => {
    assert.deepEqual(parseNoteMarkdown('<img src=x onerror=alert(1)> **open'), [
      { kind: 'paragraph', children: [{ kind: 'text', text: '<img src=x onerror=alert(1)> **open' }] },
    ]);
    assert.deepEqual(parseInline('a\\*b'), [{ kind: 'text', text: 'a*b' }]);
    assert.deepEqual(parseInline('2 * 3 * 4'), [{ kind: 'text', text: '2 * 3 * 4' }]);
  });

  it('returns nothing for an empty note and survives an unterminated code fence', () => {
    assert.deepEqual(parseNoteMarkdown(''), []);
    assert.deepEqual(parseNoteMarkdown('```\ncode'), [{ kind: 'code', text: 'code' }]);
  });
});
