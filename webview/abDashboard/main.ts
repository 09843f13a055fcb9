// The A/B dashboard: the New A/B Experiment form (live sample size and duration from the host)
// and the live view of one experiment (per-variant counts, KPI means with confidence intervals,
// comparisons with p-values, progress to the planned sample, the fixed-horizon verdict and the
// Pause / Resume / Stop / Promote Winner / Roll Back buttons). Everything is computed by the host.
import '../common/theme.css';
import './abDashboard.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { connectToHost } from '../common/vscodeApi';
import type {
  AbAction, AbComparison, AbCreateMessage, AbDashboardFromView, AbDashboardToView, AbDraft, AbLiveMessage, AbPlanPreview,
  AbServiceOption, AbVariantRow,
} from '../../src/protocol/abDashboard';
import { h } from '../compare/dom';
import { button } from '../compare/controls';

const host = connectToHost<AbDashboardFromView, AbDashboardToView>();
const root = document.getElementById('root')!;
const errorLine = h('div', { class: 'mc-error ab-error', attrs: { role: 'alert' } });
root.append(h('div', { class: 'loading mc-muted', text: 'Loading A/B experiment…' }));

let form: FormState | undefined;

host.onMessage((message) => {
  switch (message.type) {
    case 'error':
      errorLine.textContent = message.message;
      if (!root.contains(errorLine)) root.prepend(errorLine);
      return;
    case 'create':
      errorLine.textContent = '';
      lastLive = '';
      renderCreate(message);
      return;
    case 'preview':
      if (form && message.revision === form.revision) renderPreview(form, message.preview);
      return;
    case 'live':
      form = undefined;
      errorLine.textContent = '';
      renderLive(message);
      return;
  }
});
host.ready();

// ---------- create ----------

interface FormState {
  draft: AbDraft;
  services: AbServiceOption[];
  trusted: boolean;
  revision: number;
  previewBox: HTMLElement;
  startButton: HTMLElement;
  timer?: number;
}

function renderCreate(m: AbCreateMessage): void {
  const previewBox = h('div', { class: 'ab-preview', attrs: { 'data-section': 'preview' } });
  const startButton = button('Start Experiment', () => {
    if (form) host.post({ type: 'start', draft: form.draft });
  }, { title: m.trusted ? 'Start the router with this plan' : 'Trust the workspace to start routers' });
  form = { draft: structuredClone(m.draft), services: m.services, trusted: m.trusted, revision: 0, previewBox, startButton };
  const f = form;
  const variantsBox = h('div', { class: 'ab-variants' });
  const kpiExtra = h('div', { class: 'ab-grid' });
  const changed = (redrawVariants = false): void => {
    if (redrawVariants) drawVariants();
    drawKpiExtra();
    f.revision++;
    const revision = f.revision;
    if (f.timer) clearTimeout(f.timer);
    f.timer = window.setTimeout(() => host.post({ type: 'draft', revision, draft: f.draft }), 150);
  };
  const drawVariants = (): void => {
    variantsBox.replaceChildren(
      h('div', { class: 'ab-variant ab-variant-head mc-muted' }, [h('span', { text: 'Service' }), h('span', { text: 'Weight' }), h('span', { text: 'Control' }), h('span')]),
      ...f.draft.variants.map((v, i) => h('div', { class: 'ab-variant' }, [
        selectEl(`Variant ${i + 1} service`, [{ value: '', label: '— choose a service or a model version —' }, ...f.services.map((s) => ({
          value: s.name,
          // A registry version no service serves yet: Start deploys it from a service of the same model.
          label: s.deployFrom ? `${s.deployFrom.model} → deploy as ${s.name} on Start`
            : `${s.name} (${s.state}${s.model ? ` · ${s.model}` : ''})`,
        }))], v.service, (value) => { v.service = value; changed(); }),
        numberEl(`Variant ${i + 1} weight`, v.weight, (value) => { v.weight = value; changed(); }, { step: '1', min: '0' }),
        h('input', {
          attrs: { type: 'radio', name: 'control', 'aria-label': `Variant ${i + 1} is the control`, ...(f.draft.control === i ? { checked: '' } : {}) },
          on: { change: () => { f.draft.control = i; changed(); } },
        }),
        f.draft.variants.length > 2 ? button('Remove', () => {
          f.draft.variants.splice(i, 1);
          f.draft.control = Math.min(f.draft.control, f.draft.variants.length - 1);
          changed(true);
        }, { secondary: true }) : h('span'),
      ])),
      h('div', { class: 'ab-row' }, [button('Add Variant', () => { f.draft.variants.push({ service: '', weight: 50 }); changed(true); }, { secondary: true })]),
    );
  };
  const drawKpiExtra = (): void => {
    const mean = f.draft.kpi.type === 'mean';
    kpiExtra.replaceChildren(
      field(mean ? 'Minimum detectable effect (KPI units)' : 'Minimum detectable effect (rate points, e.g. 0.02)',
        numberEl('Minimum detectable effect', f.draft.mde, (value) => { f.draft.mde = value; changed(); })),
      field(mean ? 'KPI standard deviation per user' : 'Baseline rate of the control (0–1)',
        numberEl(mean ? 'Standard deviation' : 'Baseline rate', f.draft.baseline, (value) => { f.draft.baseline = value; changed(); })),
    );
  };
  if (f.draft.variants.length < 2) while (f.draft.variants.length < 2) f.draft.variants.push({ service: '', weight: 50 });
  drawVariants();
  drawKpiExtra();
  root.replaceChildren(...present(
    h('header', { class: 'page-head' }, [h('h1', { text: 'New A/B Experiment' })]),
    errorLine,
    m.trusted ? null : h('div', { class: 'ab-banner warn', text: 'Restricted Mode: starting a router is disabled until you trust this workspace.' }),
    h('section', { class: 'card' }, [
      h('h2', { text: 'Experiment' }),
      h('div', { class: 'ab-grid' }, [
        field('Experiment id', textEl('Experiment id', f.draft.experiment, (value) => { f.draft.experiment = value; changed(); })),
        field('Title (optional)', textEl('Title', f.draft.title, (value) => { f.draft.title = value; changed(); })),
      ]),
      h('h2', { text: 'Variants' }),
      m.services.length ? null : h('p', { class: 'mc-muted', text: 'No deployed service: deploy two versions of your model first (Deployments view).' }),
      variantsBox,
      h('h2', { text: 'Users' }),
      h('div', { class: 'ab-grid' }, [
        field('User key from', selectEl('User key source', [{ value: 'header', label: 'HTTP header' }, { value: 'jsonField', label: 'JSON body field' }], f.draft.userKey.kind,
          (value) => { f.draft.userKey.kind = value as AbDraft['userKey']['kind']; changed(); })),
        field('Header / field name', textEl('User key name', f.draft.userKey.name, (value) => { f.draft.userKey.name = value; changed(); })),
      ]),
    ]),
    h('section', { class: 'card' }, [
      h('h2', { text: 'KPI and statistics' }),
      h('div', { class: 'ab-grid' }, [
        field('KPI name (POST /feedback metric)', textEl('KPI name', f.draft.kpi.name, (value) => { f.draft.kpi.name = value; changed(); })),
        field('KPI type', selectEl('KPI type', [{ value: 'proportion', label: 'Rate of 0/1 values (z-test)' }, { value: 'mean', label: 'Mean of values (Welch t-test)' }], f.draft.kpi.type,
          (value) => { f.draft.kpi.type = value as AbDraft['kpi']['type']; changed(); })),
      ]),
      kpiExtra,
      h('div', { class: 'ab-grid' }, [
        field('Alpha (false-positive rate)', numberEl('Alpha', f.draft.alpha, (value) => { f.draft.alpha = value; changed(); }, { step: '0.01' })),
        field('Power', numberEl('Power', f.draft.power, (value) => { f.draft.power = value; changed(); }, { step: '0.05' })),
        field('Promote moves registry alias', textEl('Promote alias', f.draft.alias, (value) => { f.draft.alias = value; changed(); })),
      ]),
    ]),
    previewBox,
    h('div', { class: 'ab-row' }, [startButton]),
  ));
  renderPreview(f, m.preview);
}

function renderPreview(f: FormState, p: AbPlanPreview): void {
  const canStart = f.trusted && p.problems.length === 0;
  if (canStart) f.startButton.removeAttribute('disabled'); else f.startButton.setAttribute('disabled', '');
  f.previewBox.replaceChildren(h('section', { class: 'card ab-plan' }, [
    h('h2', { text: 'Plan' }),
    h('div', { class: 'ab-figures' }, [
      figure('Required per variant', p.requiredPerGroup === null ? '—' : p.requiredPerGroup.toLocaleString('en-US'), 'required'),
      figure('Total', p.total === null ? '—' : p.total.toLocaleString('en-US'), 'total'),
      figure('Current traffic', p.trafficPerSecond !== null ? `${p.trafficPerSecond.toFixed(1)} req/s` : f.draft.variants.some((v) => v.service) ? 'measuring…' : '—', 'traffic'),
      figure('Expected duration', p.durationSeconds === null ? (p.trafficPerSecond === 0 ? 'no traffic' : '—') : formatDuration(p.durationSeconds), 'duration'),
    ]),
    p.problems.length ? h('ul', { class: 'ab-problems' }, p.problems.map((x) => h('li', { text: x }))) : null,
  ]));
}

// ---------- live ----------

let lastLive = '';

function renderLive(s: AbLiveMessage): void {
  // The host sends the state every second: redraw only when something but the clock changed, so
  // buttons keep focus and hover, and text selections survive.
  const key = JSON.stringify({ ...s, updatedMs: 0 });
  const foot = root.querySelector('.ab-foot');
  if (key === lastLive && foot) {
    foot.textContent = footText(s);
    return;
  }
  lastLive = key;
  const scroll = document.scrollingElement?.scrollTop ?? 0;
  const running = s.status === 'running';
  const paused = s.status === 'paused';
  const ended = s.status === 'stopped';
  const act = (action: AbAction) => () => host.post({ type: 'action', action });
  root.replaceChildren(...present(
    h('header', { class: 'page-head ab-head', attrs: { 'data-section': 'head' } }, [
      h('h1', { text: s.title ? `${s.title}` : s.experiment }),
      s.title ? h('code', { class: 'mc-muted', text: s.experiment }) : null,
      h('span', { class: `ab-status status-${s.status}`, text: s.status }),
      s.routerUrl ? h('code', { class: 'mc-muted', text: s.routerUrl, title: 'Send traffic here' }) : h('span', { class: 'mc-muted', text: 'router not running' }),
      h('span', { class: 'spacer' }),
      h('div', { class: 'ab-actions' }, [
        running && s.routerRunning ? button('Pause', act('pause'), { secondary: true }) : null,
        paused && s.routerRunning ? button('Resume', act('resume'), { secondary: true }) : null,
        !ended && s.routerRunning ? button('Stop', act('stop'), { secondary: true }) : null,
        !ended && s.routerRunning ? button('Roll Back', act('rollback'), { secondary: true, title: 'End the experiment and send 100 % to the control' }) : null,
        button('Promote Winner', act('promote'), { title: s.verdict.winner ? `Promote ${s.verdict.winner}` : 'No significant winner yet: you will be asked which variant' }),
      ]),
    ]),
    errorLine,
    s.notice ? h('div', { class: 'ab-banner', attrs: { 'data-section': 'notice' }, text: s.notice }) : null,
    verdictCard(s),
    h('section', { class: 'card' }, [
      h('h2', { text: 'Variants' }),
      variantsTable(s),
    ]),
    h('section', { class: 'card' }, [
      h('h2', { text: `Comparisons with the control (${s.control})` }),
      comparisonsTable(s),
    ]),
    h('p', { class: 'mc-muted ab-foot', text: footText(s) }),
  ));
  if (document.scrollingElement) document.scrollingElement.scrollTop = scroll;
}

function verdictCard(s: AbLiveMessage): HTMLElement {
  return h('section', { class: `card ab-verdict verdict-${s.verdict.status}`, attrs: { 'data-section': 'verdict' } }, [
    h('div', { class: 'ab-verdict-text', text: s.verdict.message }),
    s.requiredPerGroup !== null ? progressBar(s.verdict.progress, `${(s.verdict.progress * 100).toFixed(1)} % of ${s.requiredPerGroup.toLocaleString('en-US')} per variant`) : null,
  ]);
}

function variantsTable(s: AbLiveMessage): HTMLElement {
  const kpi = s.kpi ? `${s.kpi.name} ${s.kpi.type === 'proportion' ? 'rate' : 'mean'}` : 'KPI mean';
  const head = ['Variant', 'Share', 'Users', 'Requests', 'Errors', 'Latency mean / p95', 'KPI n', `${kpi} [${ciLabel(s.alpha)}]`, 'Progress'];
  return h('table', { class: 'ab-table', attrs: { 'data-section': 'variants' } }, [
    h('thead', {}, [h('tr', {}, head.map((t) => h('th', { text: t })))]),
    h('tbody', {}, s.variants.map((v) => variantRow(s, v))),
  ]);
}

function variantRow(s: AbLiveMessage, v: AbVariantRow): HTMLElement {
  return h('tr', { attrs: { 'data-variant': v.name } }, [
    h('td', {}, [
      h('div', { class: 'ab-name' }, [h('strong', { text: v.name }), v.isControl ? h('span', { class: 'ab-badge', text: 'control' }) : null,
        s.verdict.winner === v.name ? h('span', { class: 'ab-badge winner', text: 'winner' }) : null]),
      v.model || v.url ? h('div', { class: 'mc-muted ab-sub', text: [v.model, v.url].filter(Boolean).join(' · ') }) : null,
    ]),
    num(`${(v.share * 100).toFixed(0)} %`),
    num(v.users.toLocaleString('en-US')),
    num(v.requests.toLocaleString('en-US')),
    num(v.errorRate === null ? '—' : `${v.errors} (${(v.errorRate * 100).toFixed(1)} %)`),
    num(`${ms(v.latencyMeanMs)} / ${ms(v.latencyP95Ms)}`),
    num(v.kpi.n.toLocaleString('en-US')),
    num(v.kpi.mean === null ? '—' : `${fmt(v.kpi.mean)}${v.kpi.ci ? ` [${fmt(v.kpi.ci[0])}, ${fmt(v.kpi.ci[1])}]` : ''}`),
    h('td', { class: 'ab-progress-cell' }, [v.progress === null ? h('span', { class: 'mc-muted', text: 'no plan' }) : progressBar(v.progress, `${(v.progress * 100).toFixed(0)} %`)]),
  ]);
}

function comparisonsTable(s: AbLiveMessage): HTMLElement {
  const head = ['Variant', 'Test', 'Difference', `${ciLabel(s.alpha)} of the difference`, 'Lift', 'p-value'];
  return h('table', { class: 'ab-table', attrs: { 'data-section': 'comparisons' } }, [
    h('thead', {}, [h('tr', {}, head.map((t) => h('th', { text: t })))]),
    h('tbody', {}, s.comparisons.map((c) => comparisonRow(c))),
  ]);
}

function comparisonRow(c: AbComparison): HTMLElement {
  return h('tr', { attrs: { 'data-variant': c.variant } }, [
    h('td', { text: `${c.variant} − ${c.control}` }),
    num(c.test === 'welch' ? 'Welch t-test' : 'two-proportion z-test'),
    num(c.difference === null ? '—' : signed(c.difference)),
    num(c.ci ? `[${signed(c.ci[0])}, ${signed(c.ci[1])}]` : '—'),
    num(c.lift === null ? '—' : `${c.lift >= 0 ? '+' : ''}${(c.lift * 100).toFixed(1)} %`),
    c.pValue === null
      ? h('td', { class: 'mc-muted', text: c.note ?? '—' })
      : h('td', { class: 'num ab-p', attrs: { 'data-p': String(c.pValue) }, text: c.pValue < 1e-4 ? c.pValue.toExponential(2) : c.pValue.toFixed(4) }),
  ]);
}

function footText(s: AbLiveMessage): string {
  const parts = [`alpha ${s.alpha}`];
  if (s.power !== null) parts.push(`power ${s.power}`);
  if (s.mde !== null) parts.push(`minimum detectable effect ${s.mde}`);
  if (s.alias) parts.push(`Promote moves @${s.alias}`);
  parts.push('fixed horizon: decide once, at the planned sample size');
  parts.push(`updated ${new Date(s.updatedMs).toLocaleTimeString()}`);
  return parts.join(' · ');
}

// ---------- small pieces ----------

function present(...nodes: Array<Node | null>): Node[] {
  return nodes.filter((n): n is Node => n !== null);
}

function field(label: string, control: HTMLElement): HTMLElement {
  return h('label', { class: 'ab-field' }, [h('span', { class: 'ab-label', text: label }), control]);
}

function textEl(label: string, value: string, onInput: (value: string) => void): HTMLElement {
  const el = h('input', { class: 'ab-input', attrs: { type: 'text', value, 'aria-label': label } });
  el.addEventListener('input', () => onInput(el.value.trim()));
  return el;
}

function numberEl(label: string, value: number, onInput: (value: number) => void, extra: Record<string, string> = {}): HTMLElement {
  const el = h('input', { class: 'ab-input', attrs: { type: 'number', value: String(value), step: 'any', 'aria-label': label, ...extra } });
  el.addEventListener('input', () => onInput(el.value.trim() === '' ? NaN : Number(el.value)));
  return el;
}

function selectEl(label: string, options: Array<{ value: string; label: string }>, value: string, onChange: (value: string) => void): HTMLElement {
  const el = h('select', { class: 'ab-input', attrs: { 'aria-label': label } },
    options.map((o) => h('option', { text: o.label, attrs: { value: o.value, ...(o.value === value ? { selected: '' } : {}) } })));
  el.addEventListener('change', () => onChange(el.value));
  return el;
}

function figure(label: string, value: string, key: string): HTMLElement {
  return h('div', { class: 'ab-figure', attrs: { 'data-figure': key } }, [h('div', { class: 'ab-figure-value', text: value }), h('div', { class: 'mc-muted', text: label })]);
}

function progressBar(fraction: number, label: string): HTMLElement {
  const bar = h('div', { class: 'ab-bar-fill' });
  bar.style.width = `${Math.max(0, Math.min(1, fraction)) * 100}%`;
  return h('div', { class: 'ab-bar-wrap' }, [
    h('div', { class: `ab-bar${fraction >= 1 ? ' done' : ''}`, attrs: { role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(Math.round(fraction * 100)) } }, [bar]),
    h('span', { class: 'ab-bar-label mc-muted', text: label }),
  ]);
}

function num(text: string): HTMLElement {
  return h('td', { class: 'num', text });
}

function ciLabel(alpha: number): string {
  return `${+(100 * (1 - alpha)).toFixed(2)} % CI`;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? x.toExponential(3) : x.toFixed(4).replace(/\.?0+$/, '') || '0';
}

function signed(x: number): string {
  return `${x > 0 ? '+' : ''}${fmt(x)}`;
}

function ms(x: number | null): string {
  return x === null ? '—' : `${x.toFixed(1)} ms`;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '∞';
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}
