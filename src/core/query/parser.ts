// MLflow's run search syntax, parsed into ast.ts nodes:
//   metrics.f1 > 0.9 and params.depth = '5' and tags.model LIKE 'Wine%' and attributes.status IN ('FINISHED', 'RUNNING')
// Conditions are joined by AND only (as in MLflow); OR and parentheses are rejected with a hint.
// Every error is a QuerySyntaxError pointing at the offending token.
import {
  ATTRIBUTE_ALIASES, ATTRIBUTES, ENTITY_PREFIXES, RUN_STATUSES, fieldText, fieldType,
  type Condition, type FieldRef, type Literal, type OrderTerm, type SearchFilter, type Span,
} from './ast';
import { QuerySyntaxError } from './errors';
import { tokenize, type Token } from './lexer';

/** More conditions than any person types; keeps the generated SQL well inside SQLite's limits. */
export const MAX_CONDITIONS = 200;

const OPERATOR_HINT = '=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL or IS NOT NULL';

export function parseSearchFilter(text: string): SearchFilter {
  const p = new TokenStream(text);
  const conditions: Condition[] = [];
  if (p.peek().type === 'eof') return { conditions };
  for (;;) {
    if (conditions.length === MAX_CONDITIONS) {
      p.fail(p.peek(), `too many conditions: at most ${MAX_CONDITIONS} are supported; narrow the search with IN (...) lists`);
    }
    conditions.push(parseCondition(p));
    const next = p.peek();
    if (next.type === 'eof') return { conditions };
    if (isKeyword(next, 'AND')) {
      p.next();
      if (p.peek().type === 'eof') p.fail(p.peek(), 'expected a condition after AND; remove the trailing AND or add a condition');
      continue;
    }
    if (isKeyword(next, 'OR')) p.fail(next, "MLflow search supports only AND, not OR; run two searches, or use IN (...) for alternatives of one field");
    if (next.type === '(' || next.type === ')') p.fail(next, 'parentheses are not supported: MLflow search supports only AND; remove them');
    p.fail(next, `expected AND before '${p.textOf(next)}'; join conditions with AND`);
  }
}

/** "metrics.f1 DESC, attributes.start_time" → terms in order; ASC is the default direction. */
export function parseOrderBy(text: string): OrderTerm[] {
  const p = new TokenStream(text);
  const terms: OrderTerm[] = [];
  if (p.peek().type === 'eof') return terms;
  for (;;) {
    const field = parseField(p);
    let direction: 'ASC' | 'DESC' = 'ASC';
    const next = p.peek();
    if (isKeyword(next, 'ASC') || isKeyword(next, 'DESC')) {
      direction = (next as { text: string }).text.toUpperCase() as 'ASC' | 'DESC';
      p.next();
    }
    terms.push({ field, direction });
    const after = p.peek();
    if (after.type === 'eof') return terms;
    if (after.type === ',') { p.next(); continue; }
    p.fail(after, `expected ASC, DESC or ',' after ${fieldText(field)}; write e.g. "metrics.f1 DESC, attributes.start_time"`);
  }
}

/** One field on its own ("params.seed", "tags.`model name`"), e.g. for group-by. */
export function parseFieldRef(text: string): FieldRef {
  const p = new TokenStream(text);
  const field = parseField(p);
  const next = p.peek();
  if (next.type !== 'eof') p.fail(next, `expected only a field name, found '${p.textOf(next)}' after ${fieldText(field)}`);
  return field;
}

function parseCondition(p: TokenStream): Condition {
  const first = p.peek();
  if (first.type === '(') p.fail(first, 'parentheses are not supported: MLflow search supports only AND; remove them');
  const field = parseField(p);
  const name = fieldText(field);
  const opToken = p.next();
  const spanFrom = (end: Token): Span => ({ offset: field.span.offset, length: end.offset + end.length - field.span.offset });

  if (opToken.type === 'op') {
    const op = opToken.text;
    const type = fieldType(field);
    if (type === 'string' && op !== '=' && op !== '!=') {
      p.fail(opToken, `${name} is compared as a string: use =, !=, LIKE, ILIKE or IN, not ${op}`);
    }
    const valueToken = p.next();
    const value = parseLiteral(p, valueToken, field, `${name} ${op}`);
    checkStatus(p, field, value, valueToken);
    return { kind: 'compare', field, op, value, span: spanFrom(valueToken) };
  }
  if (isKeyword(opToken, 'LIKE') || isKeyword(opToken, 'ILIKE')) {
    const op = (opToken as { text: string }).text.toUpperCase() as 'LIKE' | 'ILIKE';
    if (fieldType(field) !== 'string') p.fail(opToken, `${op} applies to strings; ${name} is a number: compare it with =, <, >, ...`);
    const valueToken = p.next();
    if (valueToken.type !== 'string') p.fail(valueToken, `expected a quoted pattern after ${name} ${op}, e.g. ${name} ${op} 'Wine%'`);
    return { kind: 'like', field, op, pattern: (valueToken as { value: string }).value, span: spanFrom(valueToken) };
  }
  if (isKeyword(opToken, 'IN') || (isKeyword(opToken, 'NOT') && isKeyword(p.peek(), 'IN'))) {
    const negated = isKeyword(opToken, 'NOT');
    if (negated) p.next();
    const open = p.next();
    if (open.type !== '(') p.fail(open, `expected '(' after ${negated ? 'NOT IN' : 'IN'}: write ${name} IN ('a', 'b')`);
    const values: Literal[] = [];
    for (;;) {
      const valueToken = p.next();
      if (valueToken.type === ')' && values.length === 0) p.fail(valueToken, 'IN needs at least one value: IN (\'a\', \'b\')');
      const value = parseLiteral(p, valueToken, field, `${name} IN (`);
      checkStatus(p, field, value, valueToken);
      values.push(value);
      const sep = p.next();
      if (sep.type === ')') return { kind: 'in', field, negated, values, span: spanFrom(sep) };
      if (sep.type !== ',') p.fail(sep, `expected ',' or ')' in the IN list of ${name}`);
    }
  }
  if (isKeyword(opToken, 'IS')) {
    let negated = false;
    let token = p.next();
    if (isKeyword(token, 'NOT')) { negated = true; token = p.next(); }
    if (!isKeyword(token, 'NULL')) p.fail(token, `expected NULL after IS${negated ? ' NOT' : ''}: write ${name} IS${negated ? ' NOT' : ''} NULL`);
    if (field.entity === 'attribute' && !ATTRIBUTES[field.key].nullable) {
      p.fail(token, `${name} always has a value, so IS ${negated ? 'NOT ' : ''}NULL does not apply`);
    }
    return { kind: 'null', field, negated, span: spanFrom(token) };
  }
  if (isKeyword(opToken, 'NOT')) p.fail(opToken, `NOT only appears as NOT IN or IS NOT NULL here; write ${name} NOT IN (...) or ${name} != ...`);
  if (isKeyword(opToken, 'OR')) p.fail(opToken, 'MLflow search supports only AND, not OR');
  return p.fail(opToken, `expected a comparison operator (${OPERATOR_HINT}) after ${name}`);
}

function parseField(p: TokenStream): FieldRef {
  const token = p.next();
  if (token.type === 'backtick') {
    p.fail(token, 'expected metrics., params., tags. or attributes. before the quoted key: write metrics.`train/loss`');
  }
  if (token.type !== 'word') {
    if (token.type === 'eof') p.fail(token, 'expected a field such as metrics.f1, params.depth, tags.model or attributes.status');
    p.fail(token, `expected a field such as metrics.f1, params.depth or attributes.status, found '${p.textOf(token)}'`);
  }
  const word = token as Extract<Token, { type: 'word' }>;
  if (isKeyword(word, 'OR')) p.fail(word, 'MLflow search supports only AND, not OR');
  const dot = word.text.indexOf('.');
  const entityText = dot < 0 ? '' : word.text.slice(0, dot);
  let key = dot < 0 ? word.text : word.text.slice(dot + 1);
  let end = word.offset + word.length;
  // metrics.`train/loss` or metrics."train/loss": a quoted key right after the dot.
  const quoted = p.peek();
  if (dot >= 0 && key === '' && quoted.offset === end && (quoted.type === 'backtick' || (quoted.type === 'string' && quoted.quote === '"'))) {
    p.next();
    key = (quoted as { value: string }).value;
    end = quoted.offset + quoted.length;
  }
  const span: Span = { offset: word.offset, length: end - word.offset };
  const failField = (reason: string): never => { throw new QuerySyntaxError(p.text, span.offset, span.length, reason); };

  if (dot < 0) {
    // A bare attribute name, as MLflow allows for run_name and friends.
    const attribute = ATTRIBUTE_ALIASES[word.text.toLowerCase()];
    if (attribute) return { entity: 'attribute', key: attribute, span };
    if (isKeyword(word, 'AND')) failField('expected a condition before AND');
    return failField(`unknown field '${word.text}': prefix it with metrics., params., tags. or attributes. (e.g. params.${word.text})`);
  }
  const entity = ENTITY_PREFIXES[entityText.toLowerCase()];
  if (!entity) {
    return failField(`unknown field type '${entityText}' in '${word.text}': use metrics.<key>, params.<key>, tags.<key> or attributes.<name>`);
  }
  if (key === '') failField(`missing key after '${entityText}.': write ${entityText}.name, or ${entityText}.\`name with spaces\``);
  if (entity === 'attribute') {
    const attribute = ATTRIBUTE_ALIASES[key.toLowerCase()];
    if (!attribute) {
      failField(`unknown attribute '${key}': use one of ${Object.keys(ATTRIBUTES).map((a) => `attributes.${a}`).join(', ')}`);
    }
    return { entity: 'attribute', key: attribute, span };
  }
  return { entity, key, span };
}

function parseLiteral(p: TokenStream, token: Token, field: FieldRef, after: string): Literal {
  const name = fieldText(field);
  if (fieldType(field) === 'number') {
    if (token.type === 'number') return token.value;
    if (token.type === 'string') {
      const asNumber = Number(token.value);
      const hint = token.value.trim() !== '' && Number.isFinite(asNumber) ? `: write ${token.value.trim()} without quotes` : '';
      p.fail(token, `${name} is a number and compares with numbers, not strings${hint}`);
    }
    return p.fail(token, `expected a number after ${after}, e.g. ${name} > 0.5`);
  }
  if (token.type === 'string') return token.value;
  if (token.type === 'number') p.fail(token, `${name} is compared as a string: quote the value, ${name} = '${token.text}'`);
  if (token.type === 'word') p.fail(token, `expected a quoted string after ${after}: write '${token.text}'`);
  return p.fail(token, `expected a quoted string after ${after}, e.g. ${name} = 'value'`);
}

/** A misspelt status would silently match nothing: say so instead. */
function checkStatus(p: TokenStream, field: FieldRef, value: Literal, token: Token): void {
  if (field.entity !== 'attribute' || field.key !== 'status') return;
  if (!(RUN_STATUSES as readonly string[]).includes(String(value))) {
    p.fail(token, `unknown status '${value}': use one of ${RUN_STATUSES.join(', ')} (upper case)`);
  }
}

function isKeyword(token: Token, keyword: string): boolean {
  return token.type === 'word' && token.text.toUpperCase() === keyword;
}

class TokenStream {
  private readonly tokens: Token[];
  private index = 0;

  constructor(readonly text: string) {
    this.tokens = tokenize(text);
  }

  peek(): Token {
    return this.tokens[this.index];
  }

  next(): Token {
    const token = this.tokens[this.index];
    if (token.type !== 'eof') this.index++;
    return token;
  }

  textOf(token: Token): string {
    return token.type === 'eof' ? 'the end' : this.text.slice(token.offset, token.offset + token.length);
  }

  fail(token: Token, reason: string): never {
    // At the end there is no token to underline: point just past the text.
    throw new QuerySyntaxError(this.text, token.offset, Math.max(1, token.length), reason);
  }
}
