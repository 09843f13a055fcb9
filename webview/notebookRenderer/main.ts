// Notebook renderer of Modelcloud run cards (MIME application/vnd.modelcloud.run+json): status,
// run name and experiment, params, and one sparkline per metric; "Open run" asks the extension to
// open the run's dashboard. Card data comes from a kernel, so it is untrusted: everything is put in
// the DOM as text nodes and attributes, never as HTML.
import { RUN_CARD_SCHEMA, isRunCardPayload, type RunCardPayload } from '../../src/protocol/notebookRunCard';
import type { OpenRunFromCardMessage } from '../../src/protocol/notebookRenderer';
import { formatDuration, formatMetricValue } from '../../src/core/experiments/format';
import { sparklineGeometry } from '../../src/core/notebooks/sparkline';
import { CARD_CSS } from './card.css';
import type { ActivationFunction, RendererContext } from './rendererApi';

const SVG_NS = 'http://www.w3.org/2000/svg';
const SPARK_W = 120;
const SPARK_H = 22;
/** Params shown before "+N more": enough to recognise the run, few enough to keep the card small. */
const PARAMS_SHOWN = 8;

export const activate: ActivationFunction = (context) => ({
  renderOutputItem(item, element) {
    const root = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
    root.replaceChildren();
    const style = document.createElement('style');
    style.textContent = CARD_CSS;
    root.append(style);
    let data: unknown;
    try {
      data = item.json();
    } catch (error) {
      root.append(note(`Modelcloud run card: the output is not JSON (${error instanceof Error ? error.message : String(error)}).`));
      return;
    }
    if (!isRunCardPayload(data)) {
      const schema = typeof data === 'object' && data !== null ? (data as { schema?: unknown }).schema : undefined;
      root.append(note(typeof schema === 'number' && schema > RUN_CARD_SCHEMA
        ? `Modelcloud run card in a newer format (schema ${schema}): update the Modelcloud extension to see it.`
        : 'Modelcloud run card: the output does not look like a run card.'));
      return;
    }
    root.append(renderCard(data, context));
  },
});

function renderCard(card: RunCardPayload, context: RendererContext): HTMLElement {
  const status = card.status.toLowerCase();
  const box = el('div', `card ${['running', 'finished', 'failed', 'killed'].includes(status) ? status : 'unknown'}`);
  box.dataset.runId = card.runId;
  box.dataset.status = card.status;

  const head = el('div', 'head');
  head.append(
    el('span', 'badge', card.status),
    el('span', 'name', card.runName.trim() || card.runId.slice(0, 8)),
    el('span', 'muted', `in ${card.experiment}`),
  );
  const endMs = card.endMs ?? Date.now();
  if (card.startMs > 0 && endMs >= card.startMs) head.append(el('span', 'muted', formatDuration(endMs - card.startMs)));
  if (context.postMessage) {
    const open = el('a', 'open', 'Open run') as HTMLAnchorElement;
    open.href = '#';
    open.title = `Open the dashboard of run ${card.runId} and reveal it in the Experiments view`;
    open.addEventListener('click', (event) => {
      event.preventDefault();
      context.postMessage?.({ type: 'openRun', runId: card.runId, storeDir: card.storeDir } satisfies OpenRunFromCardMessage);
    });
    head.append(open);
  } else {
    head.append(el('span', 'muted open', card.runId.slice(0, 8)));
  }
  box.append(head);

  const params = Object.entries(card.params);
  if (params.length > 0 || card.paramsTruncated > 0) box.append(paramsGrid(params, card.paramsTruncated));

  const metrics = Object.entries(card.metrics);
  if (metrics.length > 0) {
    const grid = el('div', 'section metrics');
    for (const [key, metric] of metrics) {
      grid.append(el('span', 'metric-key', key), sparkline(metric.spark, key), el('span', 'metric-last', formatMetricValue(metric.last)), el('span', 'metric-step', `step ${metric.step}`));
    }
    box.append(grid);
  } else if (card.status === 'RUNNING') {
    box.append(note('No metrics logged yet.'));
  }
  return box;
}

/** The first PARAMS_SHOWN params; "+N more" shows the rest the card carries (the dashboard has all). */
function paramsGrid(params: Array<[string, string]>, notInCard: number): HTMLElement {
  const grid = el('div', 'section params');
  const row = ([key, value]: [string, string]): HTMLElement => {
    const item = el('div', 'param');
    item.title = `${key} = ${value}`;
    item.append(el('span', 'key', key), el('span', 'value', value));
    return item;
  };
  grid.append(...params.slice(0, PARAMS_SHOWN).map(row));
  const rest = params.slice(PARAMS_SHOWN);
  const hidden = rest.length + notInCard;
  if (hidden > 0) {
    const more = el(rest.length > 0 ? 'button' : 'span', 'more', `+${hidden} more`);
    if (rest.length > 0) {
      more.title = 'Show all params of this card';
      more.addEventListener('click', () => {
        more.replaceWith(...rest.map(row), ...(notInCard > 0 ? [el('span', 'more', `+${notInCard} more in the run dashboard`)] : []));
      });
    }
    grid.append(more);
  }
  return grid;
}

function sparkline(values: ReadonlyArray<number | null>, label: string): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('width', String(SPARK_W));
  svg.setAttribute('height', String(SPARK_H));
  svg.setAttribute('viewBox', `0 0 ${SPARK_W} ${SPARK_H}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `${label}: ${values.length} points`);
  const geometry = sparklineGeometry(values, SPARK_W, SPARK_H, 3);
  for (const points of geometry.segments) {
    const line = document.createElementNS(SVG_NS, 'polyline');
    line.setAttribute('points', points);
    svg.append(line);
  }
  if (geometry.last) {
    const dot = document.createElementNS(SVG_NS, 'circle');
    dot.setAttribute('cx', String(geometry.last.x));
    dot.setAttribute('cy', String(geometry.last.y));
    dot.setAttribute('r', '2');
    svg.append(dot);
  }
  return svg;
}

function el(tag: string, className: string, text?: string): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function note(text: string): HTMLElement {
  return el('div', 'note', text);
}
