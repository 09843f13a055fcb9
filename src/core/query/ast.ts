// The parsed form of an MLflow-style run search ("metrics.f1 > 0.9 and params.depth = '5'") and of
// an order-by list. Pure data, produced by parser.ts and turned into SQL by compileSql.ts.

/** Where in the query text a node came from (0-based offset, length in characters), for error carets. */
export interface Span {
  offset: number;
  length: number;
}

export type Entity = 'metric' | 'param' | 'tag' | 'attribute';

/** The run attributes one can search and sort by; each maps to one column of the store. */
export type AttributeName =
  | 'run_id' | 'run_name' | 'status' | 'start_time' | 'end_time' | 'user' | 'experiment' | 'experiment_id';

/** A searchable field: `metrics.<key>`, `params.<key>`, `tags.<key>` or an attribute. */
export type FieldRef =
  | { entity: 'metric' | 'param' | 'tag'; key: string; span: Span }
  | { entity: 'attribute'; key: AttributeName; span: Span };

export type ComparisonOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type PatternOp = 'LIKE' | 'ILIKE';

export type Literal = string | number;

/** One condition; a filter is the conjunction (AND) of its conditions. */
export type Condition =
  | { kind: 'compare'; field: FieldRef; op: ComparisonOp; value: Literal; span: Span }
  | { kind: 'like'; field: FieldRef; op: PatternOp; pattern: string; span: Span }
  | { kind: 'in'; field: FieldRef; negated: boolean; values: Literal[]; span: Span }
  | { kind: 'null'; field: FieldRef; negated: boolean; span: Span };

export interface SearchFilter {
  /** Empty: every run matches. */
  conditions: Condition[];
}

export interface OrderTerm {
  field: FieldRef;
  direction: 'ASC' | 'DESC';
}

/** Whether a field compares as a number or as a string. */
export function fieldType(field: FieldRef): 'number' | 'string' {
  if (field.entity === 'metric') return 'number';
  if (field.entity === 'attribute') return ATTRIBUTES[field.key].type;
  return 'string';
}

/** Attribute facts: value type and whether a run may lack a value (IS NULL makes sense). */
export const ATTRIBUTES: Record<AttributeName, { type: 'number' | 'string'; nullable: boolean }> = {
  run_id: { type: 'string', nullable: false },
  run_name: { type: 'string', nullable: false },
  status: { type: 'string', nullable: false },
  start_time: { type: 'number', nullable: true },
  end_time: { type: 'number', nullable: true },
  user: { type: 'string', nullable: true },
  experiment: { type: 'string', nullable: false },
  experiment_id: { type: 'number', nullable: false },
};

/**
 * Attribute spellings MLflow accepts (and a few obvious ones), lower-cased, to our names.
 * MLflow: run_id, run_name / "run name", status, start_time / created, end_time, user_id.
 */
export const ATTRIBUTE_ALIASES: Record<string, AttributeName> = {
  run_id: 'run_id', id: 'run_id',
  run_name: 'run_name', 'run name': 'run_name', name: 'run_name',
  status: 'status',
  start_time: 'start_time', created: 'start_time',
  end_time: 'end_time',
  user: 'user', user_id: 'user',
  experiment: 'experiment', experiment_name: 'experiment',
  experiment_id: 'experiment_id',
};

/** Entity prefixes MLflow accepts before the dot, lower-cased. */
export const ENTITY_PREFIXES: Record<string, Entity> = {
  metric: 'metric', metrics: 'metric',
  param: 'param', params: 'param', parameter: 'param', parameters: 'param',
  tag: 'tag', tags: 'tag',
  attribute: 'attribute', attributes: 'attribute', attr: 'attribute', run: 'attribute',
};

export const RUN_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;

/** The text a user would type for a field, for messages: metrics.`train/loss`, attributes.status. */
export function fieldText(field: FieldRef): string {
  const prefix = { metric: 'metrics', param: 'params', tag: 'tags', attribute: 'attributes' }[field.entity];
  const plain = /^[\p{L}_][\p{L}\p{N}_.\-/]*$/u.test(field.key);
  return `${prefix}.${plain ? field.key : `\`${field.key.replace(/`/g, '``')}\``}`;
}
