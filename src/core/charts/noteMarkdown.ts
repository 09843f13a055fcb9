// The run note (tag mlflow.note.content, as MLflow stores it) is user-written Markdown. The
// webview renders it from this small syntax tree with createElement/textContent, never innerHTML,
// so nothing in a note can inject markup or script. Supported: paragraphs, # headings, - / 1.
// lists, ``` code blocks, `code`, **bold**, *italic* / _italic_, and [text](url) shown as text
// with its address (links are not followed from a webview).

export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'strong'; children: Inline[] }
  | { kind: 'em'; children: Inline[] }
  | { kind: 'link'; children: Inline[]; url: string };

export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3 | 4 | 5 | 6; children: Inline[] }
  | { kind: 'paragraph'; children: Inline[] }
  | { kind: 'list'; ordered: boolean; items: Inline[][] }
  | { kind: 'code'; text: string };

export function parseNoteMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  const flush = (): void => {
    if (paragraph.length) blocks.push({ kind: 'paragraph', children: parseInline(paragraph.join(' ')) });
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^\s*(```|~~~)/.exec(line);
    if (fence) {
      flush();
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i].trimStart().startsWith(fence[1]); i++) body.push(lines[i]);
      blocks.push({ kind: 'code', text: body.join('\n') });
      continue;
    }
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      flush();
      blocks.push({ kind: 'heading', level: heading[1].length as 1 | 2 | 3 | 4 | 5 | 6, children: parseInline(heading[2]) });
      continue;
    }
    const item = listItem(line);
    if (item) {
      flush();
      const items: Inline[][] = [parseInline(item.text)];
      while (i + 1 < lines.length) {
        const next = listItem(lines[i + 1]);
        if (!next || next.ordered !== item.ordered) break;
        items.push(parseInline(next.text));
        i++;
      }
      blocks.push({ kind: 'list', ordered: item.ordered, items });
      continue;
    }
    if (line.trim() === '') flush();
    else paragraph.push(line.trim());
  }
  flush();
  return blocks;
}

function listItem(line: string): { ordered: boolean; text: string } | undefined {
  const bullet = /^\s*[-*+]\s+(.*)$/.exec(line);
  if (bullet) return { ordered: false, text: bullet[1] };
  const numbered = /^\s*\d{1,9}[.)]\s+(.*)$/.exec(line);
  if (numbered) return { ordered: true, text: numbered[1] };
  return undefined;
}

/** Inline spans; anything that does not close properly stays literal text. */
export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let plain = '';
  const pushText = (): void => {
    if (plain) out.push({ kind: 'text', text: plain });
    plain = '';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length && /[\\`*_[\]()#]/.test(text[i + 1])) {
      plain += text[i + 1];
      i += 2;
      continue;
    }
    if (c === '`') {
      const end = text.indexOf('`', i + 1);
      if (end > i) {
        pushText();
        out.push({ kind: 'code', text: text.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    if ((c === '*' || c === '_') && text[i + 1] === c) {
      const end = text.indexOf(c + c, i + 2);
      if (end > i + 2) {
        pushText();
        out.push({ kind: 'strong', children: parseInline(text.slice(i + 2, end)) });
        i = end + 2;
        continue;
      }
    }
    if (c === '*' || c === '_') {
      const end = text.indexOf(c, i + 1);
      if (end > i + 1 && text[i + 1] !== ' ') {
        pushText();
        out.push({ kind: 'em', children: parseInline(text.slice(i + 1, end)) });
        i = end + 1;
        continue;
      }
    }
    if (c === '[') {
      const link = /^\[([^\]]+)\]\(([^)\s]*)\)/.exec(text.slice(i));
      if (link) {
        pushText();
        out.push({ kind: 'link', children: parseInline(link[1]), url: link[2] });
        i += link[0].length;
        continue;
      }
    }
    plain += c;
    i++;
  }
  pushText();
  return out;
}
