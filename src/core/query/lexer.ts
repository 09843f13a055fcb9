// Splits search text into tokens. Every token keeps its offset so errors can point at it.
import { QuerySyntaxError } from './errors';

export type Token =
  | { type: 'word'; text: string; offset: number; length: number }
  | { type: 'number'; value: number; text: string; offset: number; length: number }
  | { type: 'string'; value: string; quote: "'" | '"'; offset: number; length: number }
  | { type: 'backtick'; value: string; offset: number; length: number }
  | { type: 'op'; text: '=' | '!=' | '<' | '<=' | '>' | '>='; offset: number; length: number }
  | { type: '(' | ')' | ','; offset: number; length: number }
  | { type: 'eof'; offset: number; length: number };

// Unquoted keys may hold the characters metric names usually have (train/loss, val.acc, lr-decay).
const WORD_START = /[\p{L}_]/u;
const WORD_PART = /[\p{L}\p{N}_.\-/:]/u;
const NUMBER = /[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (offset: number, length: number, reason: string): never => {
    throw new QuerySyntaxError(text, offset, Math.max(1, length), reason);
  };
  while (i < text.length) {
    const c = text[i];
    if (/\s/u.test(c)) { i++; continue; }
    const start = i;
    if (c === "'" || c === '"' || c === '`') {
      const { value, end } = readQuoted(text, i, fail);
      tokens.push(c === '`'
        ? { type: 'backtick', value, offset: start, length: end - start }
        : { type: 'string', value, quote: c, offset: start, length: end - start });
      i = end;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') { tokens.push({ type: c, offset: i, length: 1 }); i++; continue; }
    const two = text.slice(i, i + 2);
    if (two === '<=' || two === '>=' || two === '!=') { tokens.push({ type: 'op', text: two, offset: i, length: 2 }); i += 2; continue; }
    if (two === '<>') { tokens.push({ type: 'op', text: '!=', offset: i, length: 2 }); i += 2; continue; }
    if (two === '==') fail(i, 2, "'==' is not an operator here: compare with a single '='");
    if (c === '=' || c === '<' || c === '>') { tokens.push({ type: 'op', text: c, offset: i, length: 1 }); i++; continue; }
    NUMBER.lastIndex = i;
    const number = NUMBER.exec(text);
    if (number && (/\d|\./.test(c) || /[\d.]/.test(text[i + 1] ?? ''))) {
      let end = i + number[0].length;
      if (end < text.length && WORD_PART.test(text[end])) {
        while (end < text.length && WORD_PART.test(text[end])) end++;
        fail(start, end - start, `'${text.slice(start, end)}' is not a number; quote strings ('...') and write numbers like 0.5, -3 or 1e-4`);
      }
      tokens.push({ type: 'number', value: Number(number[0]), text: number[0], offset: start, length: end - start });
      i = end;
      continue;
    }
    if (WORD_START.test(c)) {
      while (i < text.length && WORD_PART.test(text[i])) i++;
      tokens.push({ type: 'word', text: text.slice(start, i), offset: start, length: i - start });
      continue;
    }
    const codePoint = String.fromCodePoint(text.codePointAt(i)!);
    fail(i, codePoint.length, `unexpected character '${codePoint}'; conditions look like metrics.f1 > 0.9 or params.depth = '5'`);
  }
  tokens.push({ type: 'eof', offset: text.length, length: 0 });
  return tokens;
}

/**
 * A quoted string or key starting at `start`. Inside, the quote doubled ('it''s', as in SQL) or
 * backslash-escaped ('it\'s') stands for itself; \n and \t are newline and tab; backticks only double.
 */
function readQuoted(
  text: string, start: number, fail: (offset: number, length: number, reason: string) => never,
): { value: string; end: number } {
  const quote = text[start];
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === quote) {
      if (text[i + 1] === quote) { value += quote; i += 2; continue; }
      return { value, end: i + 1 };
    }
    if (c === '\\' && quote !== '`' && i + 1 < text.length) {
      const next = text[i + 1];
      value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
      i += 2;
      continue;
    }
    value += c;
    i++;
  }
  const what = quote === '`' ? 'key' : 'string';
  return fail(start, text.length - start, `unterminated ${what}: close it with ${quote}`);
}
