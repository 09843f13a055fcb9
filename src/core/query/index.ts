// The run search language (MLflow's syntax): parse, explain errors, compile to SQL.
export type { SearchFilter, Condition, FieldRef, OrderTerm, Span, AttributeName } from './ast';
export { fieldText, RUN_STATUSES } from './ast';
export { QuerySyntaxError, formatQueryError } from './errors';
export { parseSearchFilter, parseOrderBy, parseFieldRef, MAX_CONDITIONS } from './parser';
export { compileRunSearch, compileGroupRuns, compileFilter, compileOrderBy, compileWhere, likeToGlob } from './compileSql';
export type { CompiledSql, SqlParam, RunSearchQuery } from './compileSql';
