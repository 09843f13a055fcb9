// Which metric a run shows next to its name in the Experiments tree.
// Pure: the tree passes the run's metric keys and the user's setting.

/** A run can name its own primary metric with this tag. */
export const PRIMARY_METRIC_TAG = 'modelcloud.primary_metric';

/**
 * The metrics people most often judge a run by, best first. Quality scores come before
 * losses because a tree of "loss 0.31" tells less than "f1 0.87" when both are logged.
 */
export const PRIMARY_METRIC_PREFERENCE: readonly string[] = ['f1', 'accuracy', 'auc', 'r2', 'rmse', 'loss'];

/**
 * Picks the metric to show for a run.
 * - `configured` (setting `modelcloud.experiments.primaryMetric`) wins when the run logged it.
 * - Otherwise the first key of PRIMARY_METRIC_PREFERENCE the run logged, matched case-insensitively
 *   on the whole key or on its last path segment (`val/f1`, `eval_accuracy` do not count; `val/f1` does).
 * - Otherwise the alphabetically first key, so the choice is stable across refreshes.
 * Returns undefined when the run logged no metrics.
 */
export function choosePrimaryMetric(keys: readonly string[], configured: string | undefined = ''): string | undefined {
  if (keys.length === 0) return undefined;
  const wanted = (configured ?? '').trim();
  if (wanted !== '' && keys.includes(wanted)) return wanted;
  for (const preferred of PRIMARY_METRIC_PREFERENCE) {
    const exact = keys.filter((key) => key.toLowerCase() === preferred);
    if (exact.length > 0) return [...exact].sort()[0];
    const nested = keys.filter((key) => lastSegment(key).toLowerCase() === preferred);
    if (nested.length > 0) return [...nested].sort()[0];
  }
  return [...keys].sort()[0];
}

function lastSegment(key: string): string {
  const slash = key.lastIndexOf('/');
  return slash < 0 ? key : key.slice(slash + 1);
}
