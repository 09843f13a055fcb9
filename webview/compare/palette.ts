// Chart colours from the VS Code theme (--vscode-charts-*), so charts follow dark, light and
// high-contrast themes. Six hues; runs past the sixth reuse them with a dash pattern, so any
// number of runs stays distinguishable.

const HUES: Array<[string, string]> = [
  ['--vscode-charts-blue', '#3794ff'],
  ['--vscode-charts-orange', '#d18616'],
  ['--vscode-charts-green', '#89d185'],
  ['--vscode-charts-red', '#f14c4c'],
  ['--vscode-charts-purple', '#b180d7'],
  ['--vscode-charts-yellow', '#cca700'],
];
const DASHES: number[][] = [[], [7, 3], [2, 3], [10, 3, 2, 3]];

export interface RunStyle {
  color: string;
  dash: number[];
}

export function themeColor(variable: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(variable).trim()
    || getComputedStyle(document.body).getPropertyValue(variable).trim();
  return value || fallback;
}

export function runStyle(index: number): RunStyle {
  const [variable, fallback] = HUES[index % HUES.length];
  // Some themes define chart colours with transparency (charts.orange follows the minimap's
  // find-match colour): thin lines need them opaque to stay readable.
  return { color: withAlpha(themeColor(variable, fallback), Infinity), dash: DASHES[Math.floor(index / HUES.length) % DASHES.length] };
}

/** Colours for axes, grid and labels on canvases and uPlot. */
export function chromeColors(): { text: string; muted: string; grid: string; axis: string; background: string } {
  return {
    text: themeColor('--vscode-foreground', '#cccccc'),
    muted: themeColor('--vscode-descriptionForeground', '#9d9d9d'),
    grid: withAlpha(themeColor('--vscode-charts-lines', '#80808080'), 0.35),
    axis: withAlpha(themeColor('--vscode-charts-lines', '#808080'), 0.8),
    background: themeColor('--vscode-editor-background', '#1e1e1e'),
  };
}

/** `#rgb`, `#rrggbb`, `#rrggbbaa` or rgb()/rgba() with its alpha multiplied by `alpha` (Infinity: opaque). */
export function withAlpha(color: string, alpha: number): string {
  const c = color.trim();
  let r: number; let g: number; let b: number; let a = 1;
  const hex = /^#([0-9a-f]{3,8})$/i.exec(c);
  if (hex) {
    const v = hex[1];
    const full = v.length <= 4 ? v.split('').map((d) => d + d).join('') : v;
    r = parseInt(full.slice(0, 2), 16); g = parseInt(full.slice(2, 4), 16); b = parseInt(full.slice(4, 6), 16);
    if (full.length === 8) a = parseInt(full.slice(6, 8), 16) / 255;
  } else {
    const rgb = /^rgba?\(([^)]+)\)$/i.exec(c);
    if (!rgb) return c;
    const parts = rgb[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    [r, g, b] = parts;
    if (parts.length > 3) a = parts[3];
  }
  return `rgba(${r}, ${g}, ${b}, ${Math.min(1, Math.round(a * alpha * 1000) / 1000)})`;
}

/** Calls `redraw` when the theme changes (VS Code rewrites the html style and body class). */
export function onThemeChange(redraw: () => void): void {
  let scheduled = false;
  const observer = new MutationObserver(() => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => { scheduled = false; redraw(); });
  });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
}
