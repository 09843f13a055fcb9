// uPlot draws several series over one shared x array. Runs log at different steps and times, so
// their x values are merged here: a run with no point at some x gets `undefined` there (uPlot
// draws straight across), while a real gap (NaN logged) stays `null` (uPlot breaks the line).

export interface XYSeries {
  x: readonly number[];
  y: ReadonlyArray<number | null>;
}

export type AlignedSeries = [number[], ...Array<Array<number | null | undefined>>];

export function alignSeries(series: readonly XYSeries[]): AlignedSeries {
  const xs = new Set<number>();
  for (const s of series) for (const x of s.x) if (Number.isFinite(x)) xs.add(x);
  const x = Float64Array.from(xs).sort();
  const position = new Map<number, number>();
  for (let i = 0; i < x.length; i++) position.set(x[i], i);
  const columns = series.map((s) => {
    const column = new Array<number | null | undefined>(x.length).fill(undefined);
    for (let i = 0; i < s.x.length; i++) {
      const at = position.get(s.x[i]);
      if (at !== undefined) column[at] = s.y[i];
    }
    return column;
  });
  return [Array.from(x), ...columns];
}
