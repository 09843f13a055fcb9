// Image rebuild after a model-only change vs a full build (issue #4: "a model-only change
// rebuilds in seconds"). The seed service (pandas + scikit-learn requirements) is packaged and
// built with podman as a new service would be: a requirements file no earlier build has seen (a
// unique comment line), so the pip install and every layer after it run; only the base image and
// the venv layer come from the cache. (Not --no-cache: podman's cache lookup would then follow an
// older layer chain for the rebuild.) Then model.pkl changes and it is packaged and built again. Uses the same provisioning as the system
// tests (podman, local base image, local pip index over HTTP); the first run on a machine also
// builds the base image (~1-2 min, not counted).
// Run: node esbuild.mjs && node out/test/bench/rebuild.bench.js   (last line: JSON figures)
import { randomBytes } from 'node:crypto';
import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { packageService } from '../../src/platform/packaging/packageService';
import { parseBuildSteps, provisionContainerEngine } from '../system/support/containers';

const REPO = process.env.MODELCLOUD_REPO ?? resolve(__dirname, '../../..');
/** A model of realistic size; the bytes do not matter to the build. */
const MODEL_BYTES = 2 * 1024 * 1024;

async function main(): Promise<void> {
  const env = await provisionContainerEngine((line) => console.log(line));
  const work = mkdtempSync(join(tmpdir(), 'modelcloud-rebuild-bench-'));
  try {
    const service = join(work, 'rebuild-bench');
    cpSync(join(REPO, 'test', 'fixtures', 'services', 'seed'), service, { recursive: true });
    writeFileSync(join(service, 'model.pkl'), randomBytes(MODEL_BYTES));
    appendFileSync(join(service, 'requirements.txt'), `# rebuild bench ${Date.now()}\n`);
    const fullLines: string[] = [];
    const full = await packageService(service, { engine: env.engine, env: env.processEnv, onLine: (l) => fullLines.push(l) });
    const fullSteps = parseBuildSteps(fullLines);
    console.log(`full build (pip install of the requirements and every later layer): ${full.buildSeconds?.toFixed(1)} s, ` +
      `${fullSteps.filter((s) => s.cached).length} of ${fullSteps.length} steps cached`);

    writeFileSync(join(service, 'model.pkl'), randomBytes(MODEL_BYTES));
    const lines: string[] = [];
    const rebuild = await packageService(service, { engine: env.engine, env: env.processEnv, onLine: (l) => lines.push(l) });
    const steps = parseBuildSteps(lines);
    const rebuilt = steps.filter((s) => !s.cached && !s.instruction.startsWith('FROM')).map((s) => s.instruction.split(/\s+/).slice(0, 2).join(' '));
    console.log(`rebuild after a model-only change: ${rebuild.buildSeconds?.toFixed(1)} s; rebuilt steps: ${rebuilt.join(', ')}`);
    const ratio = (full.buildSeconds ?? 0) / (rebuild.buildSeconds ?? 1);
    console.log(`ratio ${ratio.toFixed(1)}x faster; goal: rebuild in seconds (< 10 s): ${(rebuild.buildSeconds ?? 99) < 10 ? 'met' : 'NOT met'}`);
    for (const tag of [full.imageTag, rebuild.imageTag]) await env.engine.removeImage(tag);
    await env.close();
    console.log(JSON.stringify({
      bench: 'rebuild', engine: env.engine.name, fullBuildSeconds: Number(full.buildSeconds?.toFixed(2)),
      modelOnlyRebuildSeconds: Number(rebuild.buildSeconds?.toFixed(2)), ratio: Number(ratio.toFixed(1)),
      rebuiltSteps: rebuilt.length, totalSteps: steps.length, goalSeconds: 10,
    }));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => { console.error(error); process.exitCode = 1; });
