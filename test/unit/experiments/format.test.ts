import { strict as assert } from 'node:assert';
import {
  formatDuration, formatMetricValue, runDurationMs, runLabel, runDescription, experimentDescription, sourceText,
} from '../../../src/core/experiments/format';
import { runTooltipMarkdown, escapeMarkdown, TOOLTIP_MAX_ENTRIES } from '../../../src/core/experiments/runTooltip';
import type { RunDetail } from '../../../src/core/tracking/types';

function detail(overrides: Partial<RunDetail> = {}): RunDetail {
  return {
    id: '0123456789abcdef0123456789abcdef', experimentId: 1, experiment: 'mnist', name: 'baseline', status: 'FINISHED',
    startMs: Date.UTC(2026, 10, 1, 12, 0, 0), endMs: Date.UTC(2026, 10, 1, 12, 3, 5), user: 'ada', origin: 'modelcloud',
    source: { kind: 'script', path: 'train.py' }, git: { commit: 'abcdef1234567890', branch: 'main', dirty: true },
    pythonVersion: '3.11.2', host: 'box', deleted: false,
    params: { lr: '0.01' }, metrics: { f1: { value: 0.91234, step: 9, ts: 0 } }, tags: { team: 'vision', 'mlflow.user': 'ada' },
    artifacts: [], ...overrides,
  };
}

describe('experiment tree text', () => {
  it('formats durations at every scale', () => {
    assert.equal(formatDuration(850), '850 ms');
    assert.equal(formatDuration(42_000), '42 s');
    assert.equal(formatDuration(185_000), '3 m 05 s');
    assert.equal(formatDuration(2 * 3600_000 + 4 * 60_000), '2 h 04 m');
    assert.equal(formatDuration(3 * 86400_000 + 7 * 3600_000), '3 d 07 h');
    assert.equal(formatDuration(-1), '—');
    assert.equal(formatDuration(Number.NaN), '—');
  });

  it('computes durations for finished, running and unknown runs', () => {
    assert.equal(runDurationMs({ startMs: 1000, endMs: 4000, status: 'FINISHED' }, 9999), 3000);
    assert.equal(runDurationMs({ startMs: 1000, endMs: null, status: 'RUNNING' }, 6000), 5000);
    assert.equal(runDurationMs({ startMs: 1000, endMs: null, status: 'KILLED' }, 6000), undefined);
    assert.equal(runDurationMs({ startMs: null, endMs: null, status: 'RUNNING' }, 6000), undefined);
  });

  it('formats metric values readably, including NaN and infinities', () => {
    assert.equal(formatMetricValue(0.912345), '0.9123');
    assert.equal(formatMetricValue(12), '12');
    assert.equal(formatMetricValue(1234.5678), '1235');
    assert.equal(formatMetricValue(0.00001234), '1.234e-5');
    assert.equal(formatMetricValue(null), 'NaN');
    assert.equal(formatMetricValue(Infinity), '∞');
    assert.equal(formatMetricValue(-Infinity), '-∞');
  });

  it('labels runs by name, or by a short id when unnamed', () => {
    assert.equal(runLabel({ id: 'abcdef0123456789', name: 'baseline' }), 'baseline');
    assert.equal(runLabel({ id: 'abcdef0123456789', name: ' ' }), 'abcdef01');
  });

  it('describes runs by their primary metric and experiments by run counts', () => {
    assert.equal(runDescription({ key: 'f1', value: 0.87654 }), 'f1 0.8765');
    assert.equal(runDescription(undefined), '');
    assert.equal(experimentDescription({ runCount: 1, runningCount: 0 }), '1 run');
    assert.equal(experimentDescription({ runCount: 12, runningCount: 2 }), '12 runs · 2 running');
  });

  it('shows notebook sources with a 1-based cell number', () => {
    assert.equal(sourceText({ kind: 'notebook', path: 'nb/explore.ipynb', cell: 2 }), 'nb/explore.ipynb:cell 3');
    assert.equal(sourceText({ kind: 'script', path: 'train.py' }), 'train.py');
    assert.equal(sourceText({ kind: 'unknown' }), undefined);
  });
});

describe('runTooltipMarkdown', () => {
  it('lists status, duration, source, git, metrics, params and user tags', () => {
    const text = runTooltipMarkdown(detail(), 0);
    assert.match(text, /^\*\*baseline\*\* — Finished/);
    assert.match(text, /Duration: 3 m 05 s/);
    assert.match(text, /Source: train\\\.py/);
    assert.match(text, /Git: `abcdef123456` on main \(uncommitted changes\)/);
    assert.match(text, /- f1: 0\\\.9123/);
    assert.match(text, /- lr: 0\\\.01/);
    assert.match(text, /- team: vision/);
    assert.doesNotMatch(text, /mlflow\\\.user/, 'reserved MLflow tags are not repeated');
  });

  it('says "so far" for running runs', () => {
    const run = detail({ status: 'RUNNING', endMs: null });
    assert.match(runTooltipMarkdown(run, run.startMs! + 65_000), /Duration: 1 m 05 s so far/);
  });

  it('escapes Markdown and links in user-controlled text', () => {
    const text = runTooltipMarkdown(detail({ name: '[click](command:evil)', params: { '*x*': '<img src=x>' } }), 0);
    assert.ok(text.includes('\\[click\\]\\(command:evil\\)'));
    assert.ok(text.includes('\\*x\\*: \\<img src=x\\>'));
    assert.equal(escapeMarkdown('a_b'), 'a\\_b');
  });

  it('caps long sections', () => {
    const params: Record<string, string> = {};
    for (let i = 0; i < TOOLTIP_MAX_ENTRIES + 5; i++) params[`p${String(i).padStart(2, '0')}`] = 'v';
    const text = runTooltipMarkdown(detail({ params }), 0);
    assert.match(text, /… 5 more/);
    assert.doesNotMatch(text, /p24/);
  });
});
