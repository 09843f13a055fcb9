// Geometry of the small metric line on a run card: values (null = NaN/Infinity, a gap) to SVG
// polyline point lists scaled into a width × height box. Pure, shared by the renderer and tests.

export interface SparklineGeometry {
  /** One `points` attribute per unbroken stretch of values ("x,y x,y …"). */
  segments: string[];
  /** The last finite point, for the end dot; undefined when there is none. */
  last?: { x: number; y: number };
}

export function sparklineGeometry(values: ReadonlyArray<number | null>, width: number, height: number, pad = 2): SparklineGeometry {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0) return { segments: [] };
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const span = max - min;
  const innerW = Math.max(0, width - 2 * pad);
  const innerH = Math.max(0, height - 2 * pad);
  const x = (i: number): number => pad + (values.length === 1 ? innerW / 2 : (i * innerW) / (values.length - 1));
  // A flat series sits in the middle rather than on an edge.
  const y = (v: number): number => pad + (span === 0 ? innerH / 2 : innerH - ((v - min) * innerH) / span);
  const round = (n: number): number => Math.round(n * 10) / 10;
  const segments: string[] = [];
  let current: string[] = [];
  let last: { x: number; y: number } | undefined;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      if (current.length) segments.push(current.join(' '));
      current = [];
      return;
    }
    last = { x: round(x(i)), y: round(y(v)) };
    current.push(`${last.x},${last.y}`);
  });
  if (current.length) segments.push(current.join(' '));
  return { segments, last };
}
