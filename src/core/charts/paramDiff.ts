// Which params differ between the runs being compared. "3" and "3.0" are the same number and do
// not count as a difference; a param one run has and another lacks does.

export interface ParamDiffRow {
  key: string;
  /** One entry per run, in the order given; null when that run did not log the param. */
  values: Array<string | null>;
  differs: boolean;
}

export interface ParamDiff {
  rows: ParamDiffRow[];
  differing: number;
  identical: number;
}

/** Rows sorted by key; `params` holds each run's params in display order. */
export function diffParams(params: ReadonlyArray<Readonly<Record<string, string>>>): ParamDiff {
  const keys = new Set<string>();
  for (const p of params) for (const key of Object.keys(p)) keys.add(key);
  const rows: ParamDiffRow[] = [...keys].sort(compareNatural).map((key) => {
    const values = params.map((p) => (Object.prototype.hasOwnProperty.call(p, key) ? p[key] : null));
    return { key, values, differs: !allSame(values) };
  });
  const differing = rows.filter((row) => row.differs).length;
  return { rows, differing, identical: rows.length - differing };
}

function allSame(values: Array<string | null>): boolean {
  const first = values[0];
  return values.every((v) => sameParamValue(first, v));
}

export function sameParamValue(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (a === b) return true;
  const na = numericValue(a);
  const nb = numericValue(b);
  return na !== undefined && nb !== undefined && na === nb;
}

/** The number a param value spells, if it is one ("1e-3", " 5 "); undefined for text and empty values. */
export function numericValue(value: string | number | null | undefined): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : undefined;
}

/** "run-2" before "run-10": numbers inside strings compare as numbers. */
export function compareNatural(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' }) || (a < b ? -1 : a > b ? 1 : 0);
}
