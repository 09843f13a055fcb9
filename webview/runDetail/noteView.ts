// Renders the note's Markdown syntax tree (src/core/charts/noteMarkdown.ts) with createElement
// and textContent only: whatever a note contains, it never becomes markup or script.
import { parseNoteMarkdown, type Block, type Inline } from '../../src/core/charts/noteMarkdown';
import { h } from '../compare/dom';

export function renderNote(source: string): HTMLElement {
  const blocks = parseNoteMarkdown(source);
  const root = h('div', { class: 'note-preview' });
  if (blocks.length === 0) root.append(h('p', { class: 'mc-muted', text: 'No note yet. Write what this run tried and what you learned.' }));
  for (const block of blocks) root.append(renderBlock(block));
  return root;
}

function renderBlock(block: Block): HTMLElement {
  switch (block.kind) {
    case 'heading': return h(`h${Math.min(6, block.level + 2)}` as 'h3', {}, block.children.map(renderInline));
    case 'paragraph': return h('p', {}, block.children.map(renderInline));
    case 'list': return h(block.ordered ? 'ol' : 'ul', {}, block.items.map((item) => h('li', {}, item.map(renderInline))));
    case 'code': return h('pre', {}, [h('code', { text: block.text })]);
  }
}

function renderInline(node: Inline): Node {
  switch (node.kind) {
    case 'text': return document.createTextNode(node.text);
    case 'code': return h('code', { text: node.text });
    case 'strong': return h('strong', {}, node.children.map(renderInline));
    case 'em': return h('em', {}, node.children.map(renderInline));
    // Links are shown, not followed: the address is visible next to the text.
    case 'link': return h('span', { class: 'note-link', title: node.url }, [...node.children.map(renderInline), h('span', { class: 'mc-muted', text: ` (${node.url})` })]);
  }
}
