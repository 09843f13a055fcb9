// Reading run cards out of notebook cell outputs, and the one-line summary the cell CodeLens shows.
// Pure: outputs arrive as plain { mime, data } items.
import { RUN_CARD_MIME, isRunCardPayload, type RunCardPayload } from '../../protocol/notebookRunCard';
import { choosePrimaryMetric } from '../experiments/primaryMetric';
import { formatMetricValue } from '../experiments/format';

export interface PlainOutputItem {
  mime: string;
  data: Uint8Array;
}

const decoder = new TextDecoder();

/**
 * The run cards in a cell's outputs, one per run (a card updated in place, or shown twice, counts
 * once; the last one wins because it is the newest). Invalid JSON is skipped: outputs are untrusted.
 */
export function runCardsInOutputs(outputs: ReadonlyArray<{ items: readonly PlainOutputItem[] }>): RunCardPayload[] {
  const byRun = new Map<string, RunCardPayload>();
  for (const output of outputs) {
    for (const item of output.items) {
      if (item.mime !== RUN_CARD_MIME) continue;
      let value: unknown;
      try {
        value = JSON.parse(decoder.decode(item.data));
      } catch {
        continue;
      }
      if (isRunCardPayload(value)) {
        byRun.delete(value.runId);
        byRun.set(value.runId, value);
      }
    }
  }
  return [...byRun.values()];
}

/** The metric a card is summarised by: the setting when the run logged it, else the tree's choice. */
export function runCardPrimaryMetric(card: RunCardPayload, configured: string): { key: string; value: number | null } | undefined {
  const key = choosePrimaryMetric(Object.keys(card.metrics), configured);
  return key === undefined ? undefined : { key, value: card.metrics[key]?.last ?? null };
}

/** "Run rf-depth-3 · f1 0.9712 · Open" (status said when the run is not finished). */
export function runCardLensTitle(card: RunCardPayload, configuredPrimaryMetric: string): string {
  const name = card.runName.trim() !== '' ? card.runName : card.runId.slice(0, 8);
  const parts = [`Run ${name}`];
  if (card.status === 'RUNNING') parts.push('running');
  else if (card.status !== 'FINISHED') parts.push(card.status.toLowerCase());
  const metric = runCardPrimaryMetric(card, configuredPrimaryMetric);
  if (metric) parts.push(`${metric.key} ${formatMetricValue(metric.value)}`);
  parts.push('Open');
  return parts.join(' · ');
}
