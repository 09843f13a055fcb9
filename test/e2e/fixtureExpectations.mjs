// What the Experiments view must show for a workspace, read from the workspace's own files so
// the e2e test follows the fixture when it changes: experiments and run names from Modelcloud
// run logs (.modelcloud/runs/*.jsonl, first line = run_start) and from MLflow folders
// (mlruns/<exp>/meta.yaml, mlruns/<exp>/<run>/meta.yaml, older runs name themselves in the
// mlflow.runName tag; deleted ones are skipped).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** @returns {Map<string, string[]>} experiment name → run names (runs without a name use the id's first 8 characters) */
export function readFixtureExpectations(workspace) {
  /** @type {Map<string, string[]>} */
  const experiments = new Map();
  const add = (experiment, run) => {
    if (!experiments.has(experiment)) experiments.set(experiment, []);
    experiments.get(experiment).push(run);
  };

  const runsDir = join(workspace, '.modelcloud', 'runs');
  if (existsSync(runsDir)) {
    for (const file of readdirSync(runsDir).filter((n) => n.endsWith('.jsonl'))) {
      const first = readFileSync(join(runsDir, file), 'utf8').split('\n')[0];
      try {
        const start = JSON.parse(first);
        if (start.t === 'run_start') add(start.experiment, start.name?.trim() || String(start.run).slice(0, 8));
      } catch { /* a malformed log is the extension's problem to report, not an expectation */ }
    }
  }

  for (const mlruns of findMlrunsDirs(workspace)) {
    for (const expId of readdirSync(mlruns)) {
      const expMeta = readYamlish(join(mlruns, expId, 'meta.yaml'));
      if (!expMeta || expMeta.lifecycle_stage === 'deleted' || !expMeta.name) continue;
      for (const runId of readdirSync(join(mlruns, expId))) {
        const runMeta = readYamlish(join(mlruns, expId, runId, 'meta.yaml'));
        if (!runMeta || runMeta.lifecycle_stage === 'deleted' || !runMeta.run_id) continue;
        const tagName = join(mlruns, expId, runId, 'tags', 'mlflow.runName');
        const runName = runMeta.run_name || (existsSync(tagName) ? readFileSync(tagName, 'utf8').trim() : '');
        add(expMeta.name, runName || runMeta.run_id.slice(0, 8));
      }
    }
  }
  return experiments;
}

function findMlrunsDirs(root, depth = 0) {
  if (depth > 3) return [];
  const found = [];
  for (const name of readdirSync(root)) {
    if (name === 'node_modules' || name === '.git') continue;
    const path = join(root, name);
    if (!statSync(path).isDirectory()) continue;
    if (name === 'mlruns') found.push(path);
    else found.push(...findMlrunsDirs(path, depth + 1));
  }
  return found;
}

/** The flat `key: value` lines of an MLflow meta.yaml (all we need), or null if absent. */
function readYamlish(path) {
  if (!existsSync(path) || !statSync(path).isFile()) return null;
  /** @type {Record<string, string>} */
  const out = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([a-z_]+):\s*(.*)$/.exec(line);
    if (m) out[m[1]] = m[2].trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}
