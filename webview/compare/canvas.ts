// A canvas sized to its container in CSS pixels and drawn at device resolution; redrawn on
// resize. Used by the parallel-coordinates and scatter charts.

export interface SizedCanvas {
  canvas: HTMLCanvasElement;
  /** Draw with the context scaled to CSS pixels; width/height in CSS pixels. */
  draw(paint: (ctx: CanvasRenderingContext2D, width: number, height: number) => void): void;
}

export function sizedCanvas(container: HTMLElement, height: number): SizedCanvas {
  const canvas = document.createElement('canvas');
  canvas.style.display = 'block';
  canvas.style.width = '100%';
  canvas.style.height = `${height}px`;
  container.append(canvas);
  let painter: ((ctx: CanvasRenderingContext2D, width: number, height: number) => void) | undefined;
  const render = (): void => {
    if (!painter) return;
    const width = Math.max(200, container.clientWidth);
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    painter(ctx, width, height);
  };
  let lastWidth = 0;
  new ResizeObserver(() => {
    if (container.clientWidth !== lastWidth) { lastWidth = container.clientWidth; render(); }
  }).observe(container);
  return {
    canvas,
    draw(paint) { painter = paint; render(); },
  };
}

/** Text cut to fit `maxWidth` with an ellipsis. */
export function fitText(ctx: CanvasRenderingContext2D, text: string, maxWidth: number): string {
  if (ctx.measureText(text).width <= maxWidth) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (ctx.measureText(`${text.slice(0, mid)}…`).width <= maxWidth) lo = mid; else hi = mid - 1;
  }
  return `${text.slice(0, lo)}…`;
}

export function chartFont(size = 11): string {
  const family = getComputedStyle(document.body).getPropertyValue('--vscode-font-family').trim() || 'sans-serif';
  return `${size}px ${family}`;
}
