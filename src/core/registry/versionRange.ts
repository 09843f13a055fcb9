// Version ranges: which model versions an environment accepts (e.g. prod: "<=1", int: "<=2").
//
// Grammar (versions are whole numbers, the registry's version numbers):
//   range       := alternative ( "||" alternative )*        any alternative matches (OR)
//   alternative := clause ( ( "," | whitespace ) clause )*  every clause matches (AND)
//   clause      := "*"                                       any version
//                | NUMBER "-" NUMBER                         inclusive range, e.g. 2-5
//                | [ op ] NUMBER                             op is = == != < <= > >=; a bare number means =
//   NUMBER      := [0-9]+
// Whitespace may separate an operator from its number ("<= 2"). Examples: "<=1", ">=2 <5",
// "1-3 || 7", "*", "!=4, >2". An empty range is an error (say "*" for any version).
// Syntax errors carry the offset and length of the offending text, like the query parser's.

export class VersionRangeError extends Error {
  constructor(readonly range: string, readonly offset: number, readonly length: number, readonly reason: string) {
    super(`invalid version range '${range}': ${reason} at column ${offset + 1}`);
    this.name = 'VersionRangeError';
  }
}

type Op = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type RangeClause = { kind: 'any' } | { kind: 'cmp'; op: Op; version: number } | { kind: 'between'; low: number; high: number };

export interface VersionRange {
  text: string;
  /** OR of ANDs. */
  alternatives: RangeClause[][];
  matches(version: number): boolean;
}

type Token = { kind: 'num'; value: number; at: number; len: number }
  | { kind: 'op'; op: Op; at: number; len: number }
  | { kind: 'star' | 'dash' | 'comma' | 'or' | 'space'; at: number; len: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      const start = i;
      while (i < text.length && /\s/.test(text[i])) i++;
      tokens.push({ kind: 'space', at: start, len: i - start });
    } else if (/[0-9]/.test(c)) {
      const start = i;
      while (i < text.length && /[0-9]/.test(text[i])) i++;
      if (text[i] === '.') {
        let end = i + 1;
        while (end < text.length && /[0-9.]/.test(text[end])) end++;
        throw new VersionRangeError(text, start, end - start,
          `'${text.slice(start, end)}' is not a version number: versions are whole numbers (write ${text.slice(start, i)})`);
      }
      tokens.push({ kind: 'num', value: Number(text.slice(start, i)), at: start, len: i - start });
    } else if (text.startsWith('||', i)) {
      tokens.push({ kind: 'or', at: i, len: 2 }); i += 2;
    } else if (c === '*') { tokens.push({ kind: 'star', at: i, len: 1 }); i++; }
    else if (c === '-') { tokens.push({ kind: 'dash', at: i, len: 1 }); i++; }
    else if (c === ',') { tokens.push({ kind: 'comma', at: i, len: 1 }); i++; }
    else {
      const op = (['==', '!=', '<=', '>=', '=', '<', '>'] as const).find((o) => text.startsWith(o, i));
      if (!op) throw new VersionRangeError(text, i, 1, `unexpected '${c}': use numbers, * , - || and = == != < <= > >=`);
      tokens.push({ kind: 'op', op: op === '==' ? '=' : op, at: i, len: op.length });
      i += op.length;
    }
  }
  return tokens;
}

export function parseVersionRange(text: string): VersionRange {
  // Whitespace matters only between clauses: drop it around operators, dashes, commas and ||.
  const raw = tokenize(text);
  const tokens: Token[] = [];
  for (let i = 0; i < raw.length; i++) {
    const t = raw[i];
    if (t.kind !== 'space') { tokens.push(t); continue; }
    // A space separates clauses only between a clause's end (number, *) and a clause's start.
    const prev = tokens[tokens.length - 1];
    const next = raw[i + 1];
    if (prev && (prev.kind === 'num' || prev.kind === 'star') && next && (next.kind === 'num' || next.kind === 'star' || next.kind === 'op')) {
      tokens.push(t);
    }
  }
  const alternatives: RangeClause[][] = [[]];
  let expectClause = true;
  let i = 0;
  const end = text.length;
  const fail = (t: Token | undefined, reason: string): never => {
    throw new VersionRangeError(text, t ? t.at : end, t ? t.len : 1, reason);
  };
  if (tokens.length === 0) fail(undefined, "the range is empty: write '*' for any version");
  while (i < tokens.length) {
    const t = tokens[i];
    if (t.kind === 'or' || t.kind === 'comma' || t.kind === 'space') {
      if (expectClause) fail(t, t.kind === 'or' ? "'||' needs a clause on both sides" : `a clause is missing before '${text.slice(t.at, t.at + t.len).trim() || ' '}'`);
      if (t.kind === 'or') alternatives.push([]);
      expectClause = true;
      i++;
      continue;
    }
    if (!expectClause) fail(t, `separate clauses with ',' or a space`);
    const current = alternatives[alternatives.length - 1];
    if (t.kind === 'star') { current.push({ kind: 'any' }); i++; }
    else if (t.kind === 'op') {
      const n = tokens[i + 1];
      if (!n || n.kind !== 'num') fail(n, `'${t.op}' needs a version number after it`);
      current.push({ kind: 'cmp', op: t.op, version: (n as Extract<Token, { kind: 'num' }>).value });
      i += 2;
    } else if (t.kind === 'num') {
      if (tokens[i + 1]?.kind === 'dash') {
        const high = tokens[i + 2];
        if (!high || high.kind !== 'num') fail(high, "'-' needs a version number after it (e.g. 2-5)");
        const highValue = (high as Extract<Token, { kind: 'num' }>).value;
        if (highValue < t.value) fail(high, `range ${t.value}-${highValue} is empty: write the lower version first`);
        current.push({ kind: 'between', low: t.value, high: highValue });
        i += 3;
      } else {
        current.push({ kind: 'cmp', op: '=', version: t.value });
        i++;
      }
    } else {
      fail(t, "'-' must sit between two version numbers (e.g. 2-5)");
    }
    expectClause = false;
  }
  if (expectClause) fail(undefined, 'the range ends where a clause is expected');
  return {
    text,
    alternatives,
    matches: (version) => alternatives.some((clauses) => clauses.every((c) => clauseMatches(c, version))),
  };
}

function clauseMatches(clause: RangeClause, v: number): boolean {
  switch (clause.kind) {
    case 'any': return true;
    case 'between': return v >= clause.low && v <= clause.high;
    case 'cmp':
      switch (clause.op) {
        case '=': return v === clause.version;
        case '!=': return v !== clause.version;
        case '<': return v < clause.version;
        case '<=': return v <= clause.version;
        case '>': return v > clause.version;
        case '>=': return v >= clause.version;
      }
  }
}
