// modelcloud.yaml: the service manifest (seed 000 Step 5: name, python, cuda, entrypoint,
// build_steps, plus requirements, models, features, port, and `model: models:/NAME@alias`).
// Pure: text in, manifest + problems (with line and column) out. Unknown keys are warnings with a
// "did you mean"; wrong types and missing values are errors. The JSON schema in
// media/schemas/modelcloud.schema.json describes the same fields (a unit test keeps them equal).
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';

export interface ServiceManifest {
  name: string;
  python: string;
  cuda?: string;
  entrypoint: string;
  build_steps: string[];
  requirements?: string;
  models: string[];
  features?: string;
  port?: number;
  model?: string;
  workers?: number;
  replicas?: number;
  resources?: { cpu?: string; memory?: string };
  env?: Record<string, string>;
}

export interface ManifestProblem {
  message: string;
  /** 1-based; 1/1 when the problem concerns the whole file. */
  line: number;
  column: number;
  severity: 'error' | 'warning';
}

export const MANIFEST_FILE = 'modelcloud.yaml';
export const DEFAULT_PYTHON = '3.11';
export const DEFAULT_ENTRYPOINT = 'python cloud_model.py';
/** The port the service listens on inside a container (the seed's `run(port=9000, ...)`). */
export const DEFAULT_SERVICE_PORT = 9000;

/** Every top-level key, in the order the schema and the docs list them. */
export const MANIFEST_FIELDS = [
  'name', 'python', 'cuda', 'entrypoint', 'build_steps', 'requirements', 'models', 'features', 'port',
  'model', 'workers', 'replicas', 'resources', 'env',
] as const;
export const RESOURCE_FIELDS = ['cpu', 'memory'] as const;

/** DNS-1123 label: usable as an image name, a container name and a Kubernetes object name. */
export const SERVICE_NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
export const PYTHON_VERSION_PATTERN = /^3(\.\d+){1,2}$/;
export const CUDA_VERSION_PATTERN = /^\d+\.\d+(\.\d+)?$/;
/** models:/NAME@alias, models:/NAME/3 or models:/NAME/Production (MLflow model URIs). */
export const MODEL_URI_PATTERN = /^models:\/([^/@\s]+)(@[A-Za-z0-9_-]+|\/(\d+|[A-Za-z][A-Za-z0-9_-]*))$/;
export const CPU_PATTERN = /^(\d+(\.\d+)?|\d+m)$/;
export const MEMORY_PATTERN = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|K|M|G|T|P|E)?$/;
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Set by the deployer from a secret; a value in a checked-in file would leak it. */
export const SECRET_ENV_NAMES = ['MODELCLOUD_ADMIN_TOKEN'];

export interface ParsedManifest {
  manifest?: ServiceManifest;
  problems: ManifestProblem[];
}

/**
 * Parses modelcloud.yaml text. `file` names the file in messages; the service name defaults to the
 * sanitised name of the folder holding it (or `defaults.name`). `manifest` is undefined when there
 * is any error; warnings alone still yield a manifest.
 */
export function parseManifest(text: string, file: string, defaults: { name?: string } = {}): ParsedManifest {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: ManifestProblem[] = [];
  const at = (offset: number | undefined, severity: ManifestProblem['severity'], message: string): void => {
    const pos = offset === undefined ? { line: 1, col: 1 } : lineCounter.linePos(offset);
    problems.push({ message: `${file}:${pos.line}:${pos.col}: ${message}`, line: pos.line, column: pos.col, severity });
  };
  for (const e of doc.errors) at(e.pos[0], 'error', `YAML syntax: ${e.message.split('\n')[0]}`);
  for (const w of doc.warnings) at(w.pos[0], 'warning', `YAML: ${w.message.split('\n')[0]}`);
  if (doc.errors.length) return { problems };

  const fallbackName = sanitizeServiceName(defaults.name ?? folderName(file));
  const manifest: ServiceManifest = { name: fallbackName, python: DEFAULT_PYTHON, entrypoint: DEFAULT_ENTRYPOINT, build_steps: [], models: [] };
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) {
    return { manifest, problems }; // an empty file: all defaults
  }
  if (!isMap(root)) {
    at(root.range?.[0], 'error', 'the manifest must be a mapping of keys (name: ..., python: ...), not a list or a single value');
    return { problems };
  }
  const ctx: Ctx = { at };
  for (const pair of root.items as Array<Pair<Node, Node | null>>) {
    const key = keyOf(pair, ctx);
    if (key === undefined) continue;
    const value = pair.value;
    switch (key) {
      case 'name': {
        const s = stringValue(value, key, ctx, pair);
        if (s === undefined) break;
        if (!SERVICE_NAME_PATTERN.test(s)) {
          ctx.at(value?.range?.[0], 'error', `name '${s}' must be lowercase letters, digits and '-' (at most 63, starting and ending ` +
            `with a letter or digit) so it can name an image and a Kubernetes object; try '${sanitizeServiceName(s)}'`);
          break;
        }
        manifest.name = s;
        break;
      }
      case 'python': {
        const s = versionValue(value, key, ctx, pair, text);
        if (s === undefined) break;
        if (!PYTHON_VERSION_PATTERN.test(s)) { ctx.at(value?.range?.[0], 'error', `python '${s}' is not a Python 3 version like 3.11 or 3.11.9`); break; }
        manifest.python = s;
        break;
      }
      case 'cuda': {
        const s = versionValue(value, key, ctx, pair, text);
        if (s === undefined) break;
        if (!CUDA_VERSION_PATTERN.test(s)) { ctx.at(value?.range?.[0], 'error', `cuda '${s}' is not a CUDA version like 12.4.1`); break; }
        manifest.cuda = s;
        break;
      }
      case 'entrypoint': {
        const s = stringValue(value, key, ctx, pair);
        if (s !== undefined) manifest.entrypoint = s;
        break;
      }
      case 'build_steps': {
        const list = stringList(value, key, ctx, pair, true);
        if (list) manifest.build_steps = list;
        break;
      }
      case 'models': {
        const list = stringList(value, key, ctx, pair, true);
        if (!list) break;
        list.forEach((p, i) => checkRelativePath(p, `models[${i}]`, ctx, isSeq(value) ? value.items[i] as Node : value));
        manifest.models = list;
        break;
      }
      case 'requirements': case 'features': {
        const s = stringValue(value, key, ctx, pair);
        if (s !== undefined && checkRelativePath(s, key, ctx, value)) manifest[key] = s;
        break;
      }
      case 'port': case 'workers': case 'replicas': {
        const limits = key === 'port' ? [1, 65535] : key === 'workers' ? [1, 64] : [0, 1000];
        const n = integerValue(value, key, ctx, pair, limits[0], limits[1]);
        if (n !== undefined) manifest[key] = n;
        break;
      }
      case 'model': {
        const s = stringValue(value, key, ctx, pair);
        if (s === undefined) break;
        if (!MODEL_URI_PATTERN.test(s)) {
          ctx.at(value?.range?.[0], 'error', `model '${s}' is not a registry model URI; write models:/NAME@alias, models:/NAME/VERSION or models:/NAME/STAGE`);
          break;
        }
        manifest.model = s;
        break;
      }
      case 'resources': {
        const r = resourcesValue(value, ctx, pair, text);
        if (r) manifest.resources = r;
        break;
      }
      case 'env': {
        const e = envValue(value, ctx, pair, text);
        if (e) manifest.env = e;
        break;
      }
    }
  }
  const hasError = problems.some((p) => p.severity === 'error');
  return hasError ? { problems } : { manifest, problems };
}

interface Ctx { at: (offset: number | undefined, severity: ManifestProblem['severity'], message: string) => void }

function keyOf(pair: Pair<Node, Node | null>, ctx: Ctx): (typeof MANIFEST_FIELDS)[number] | undefined {
  const key = pair.key;
  const name = isScalar(key) ? String(key.value) : undefined;
  if (name === undefined) {
    ctx.at((key as Node | null)?.range?.[0], 'error', 'keys must be plain names like python or build_steps');
    return undefined;
  }
  if ((MANIFEST_FIELDS as readonly string[]).includes(name)) return name as (typeof MANIFEST_FIELDS)[number];
  ctx.at(key.range?.[0], 'warning', `unknown key '${name}' is ignored${didYouMean(name, MANIFEST_FIELDS)}`);
  return undefined;
}

function describe(node: Node | null): string {
  if (node === null || (isScalar(node) && node.value === null)) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  const v = (node as Scalar).value;
  return typeof v === 'string' ? `the text '${v}'` : `${typeof v} ${String(v)}`;
}

/** The offset to point at: the value, or the key when the value is missing. */
function where(value: Node | null, pair: Pair<Node, Node | null>): number | undefined {
  const missing = value === null || (isScalar(value) && value.value === null);
  return missing ? pair.key?.range?.[0] : value.range?.[0];
}

function stringValue(value: Node | null, key: string, ctx: Ctx, pair: Pair<Node, Node | null>): string | undefined {
  if (isScalar(value) && typeof value.value === 'string' && value.value.trim() !== '') return value.value.trim();
  ctx.at(where(value, pair), 'error', `${key} must be a non-empty text, got ${describe(value)}`);
  return undefined;
}

/** Versions as written: `python: 3.10` is the number 3.1 to YAML, but the user meant "3.10". */
function versionValue(value: Node | null, key: string, ctx: Ctx, pair: Pair<Node, Node | null>, text: string): string | undefined {
  if (isScalar(value) && typeof value.value === 'number' && value.range) return text.slice(value.range[0], value.range[1]).trim();
  return stringValue(value, key, ctx, pair);
}

function integerValue(value: Node | null, key: string, ctx: Ctx, pair: Pair<Node, Node | null>, min: number, max: number): number | undefined {
  const v = isScalar(value) ? value.value : undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
  ctx.at(where(value, pair), 'error', `${key} must be a whole number from ${min} to ${max}, got ${describe(value)}`);
  return undefined;
}

/** A list of texts; `allowSingle` accepts one text where a one-item list is meant. */
function stringList(value: Node | null, key: string, ctx: Ctx, pair: Pair<Node, Node | null>, allowSingle: boolean): string[] | undefined {
  if (allowSingle && isScalar(value) && typeof value.value === 'string' && value.value.trim()) return [value.value.trim()];
  if (!isSeq(value)) {
    ctx.at(where(value, pair), 'error', `${key} must be a list of texts (one '- item' per line), got ${describe(value)}`);
    return undefined;
  }
  const out: string[] = [];
  let ok = true;
  value.items.forEach((item, i) => {
    const node = item as Node | null;
    if (isScalar(node) && typeof node.value === 'string' && node.value.trim()) out.push(node.value.trim());
    else { ok = false; ctx.at(node?.range?.[0] ?? value.range?.[0], 'error', `${key}[${i}] must be a non-empty text, got ${describe(node)}`); }
  });
  return ok ? out : undefined;
}

/** Paths are relative to the service folder and stay inside it (they are copied into the image). */
function checkRelativePath(path: string, key: string, ctx: Ctx, node: Node | null): boolean {
  const parts = path.replace(/\\/g, '/').split('/');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || parts.includes('..')) {
    ctx.at(node?.range?.[0], 'error', `${key} '${path}' must be a path inside the service folder, relative to it (no leading '/' or '..')`);
    return false;
  }
  return true;
}

function resourcesValue(value: Node | null, ctx: Ctx, pair: Pair<Node, Node | null>, text: string): ServiceManifest['resources'] | undefined {
  if (!isMap(value)) {
    ctx.at(where(value, pair), 'error', `resources must be a mapping like {cpu: "500m", memory: "512Mi"}, got ${describe(value)}`);
    return undefined;
  }
  const out: NonNullable<ServiceManifest['resources']> = {};
  for (const item of (value as YAMLMap<Node, Node | null>).items) {
    const name = isScalar(item.key) ? String(item.key.value) : '';
    const node = item.value;
    if (name !== 'cpu' && name !== 'memory') {
      ctx.at(item.key?.range?.[0], 'warning', `unknown key 'resources.${name}' is ignored${didYouMean(name, RESOURCE_FIELDS)}`);
      continue;
    }
    const raw = isScalar(node) && node.value !== null && node.range ? (typeof node.value === 'number' ? text.slice(node.range[0], node.range[1]).trim() : String(node.value)) : undefined;
    const pattern = name === 'cpu' ? CPU_PATTERN : MEMORY_PATTERN;
    if (raw === undefined || !pattern.test(raw)) {
      ctx.at(where(node, item), 'error', name === 'cpu'
        ? `resources.cpu must be a number of cores like 1, 0.5 or 500m, got ${describe(node)}`
        : `resources.memory must be a quantity like 512Mi or 2Gi, got ${describe(node)}`);
      continue;
    }
    out[name] = raw;
  }
  return out;
}

function envValue(value: Node | null, ctx: Ctx, pair: Pair<Node, Node | null>, text: string): Record<string, string> | undefined {
  if (!isMap(value)) {
    ctx.at(where(value, pair), 'error', `env must be a mapping of NAME: value, got ${describe(value)}`);
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const item of (value as YAMLMap<Node, Node | null>).items) {
    const name = isScalar(item.key) ? String(item.key.value) : '';
    const node = item.value;
    if (!ENV_NAME_PATTERN.test(name)) {
      ctx.at(item.key?.range?.[0], 'error', `env name '${name}' must be letters, digits and '_' and not start with a digit`);
      continue;
    }
    if (SECRET_ENV_NAMES.includes(name)) {
      ctx.at(item.key?.range?.[0], 'error', `${name} must not be written in the manifest (it is a secret); the deployer sets it from a generated token or a Kubernetes Secret`);
      continue;
    }
    if (!isScalar(node) || node.value === null || typeof node.value === 'object') {
      ctx.at(where(node, item), 'error', `env.${name} must be a text, number or boolean, got ${describe(node)}`);
      continue;
    }
    // Numbers as written (0.10 stays "0.10"); environment values are always text.
    out[name] = typeof node.value === 'number' && node.range ? text.slice(node.range[0], node.range[1]).trim() : String(node.value);
  }
  return out;
}

/** Lowercase, [a-z0-9-], at most 63 characters; 'service' when nothing is left. */
export function sanitizeServiceName(raw: string): string {
  const s = raw.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-+/, '').slice(0, 63).replace(/-+$/, '');
  return s || 'service';
}

/** The folder that holds `file`, without touching the file system. */
function folderName(file: string): string {
  const parts = file.replace(/\\/g, '/').split('/').filter(Boolean);
  return parts.length >= 2 ? parts[parts.length - 2] : 'service';
}

/** ", did you mean 'x'?" for the closest candidate within a small edit distance, else ''. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c);
    if (d < bestDistance) { best = c; bestDistance = d; }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? `; did you mean '${best}'?` : '';
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
