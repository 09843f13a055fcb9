// Lineage of a model version: the data files its source run read (tags written by the Python
// client's log_input), and the service revisions that serve or served it. Pure: the callers
// read the run's tags and the service_revisions rows and pass them in.
import { parseModelUri, type ModelRef } from './uri';

/** A dataset file linked to a run by `modelcloud.log_input()`. */
export interface DataInput {
  name: string;
  sha256: string | null;
  size: number | null;
  /** The path as the script gave it. */
  path: string | null;
  context: string | null;
}

const INPUT_TAG = /^modelcloud\.input\.(.+)\.(sha256|size|path|context)$/;

/** The run's data inputs from its `modelcloud.input.<name>.<field>` tags, by name. */
export function dataInputsOfRunTags(tags: Readonly<Record<string, string>>): DataInput[] {
  const byName = new Map<string, DataInput>();
  for (const [key, value] of Object.entries(tags)) {
    const m = INPUT_TAG.exec(key);
    if (!m) continue;
    const [, name, field] = m;
    let input = byName.get(name);
    if (!input) { input = { name, sha256: null, size: null, path: null, context: null }; byName.set(name, input); }
    if (field === 'size') {
      const n = Number(value);
      input.size = Number.isFinite(n) && n >= 0 ? n : null;
    } else if (field === 'sha256') {
      input.sha256 = /^[0-9a-f]{64}$/.test(value) ? value : null;
    } else {
      input[field as 'path' | 'context'] = value;
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** What the deploy code keeps of a revision (RevisionStore rows). */
export interface RevisionOfService {
  service: string;
  revision: number;
  status: string;
  target: string;
  createdAt: number;
  /** The manifest's `model:` URI as written (models:/NAME@alias …) or a sha256 label of model files. */
  modelVersion?: string;
  config: Record<string, unknown>;
}

/**
 * The config key where a deploy records the version its `model:` URI resolved to at deploy time
 * ("models:/NAME/N"). Older revisions lack it: an alias or stage URI then leaves the version unknown.
 */
export const RESOLVED_MODEL_CONFIG_KEY = 'modelResolved';

export interface VersionDeployment {
  service: string;
  revision: number;
  status: string;
  target: string;
  createdAt: number;
  /** The URI the service asked for. */
  requested: string;
  /** 'serves': it is this version; 'unknown': it names this model by alias/stage and recorded no resolution. */
  match: 'serves' | 'unknown';
}

/**
 * Revisions that serve (or served) `name` version `version`, newest first per service; plus
 * revisions that named the model by alias, stage or latest before deploys recorded what that
 * resolved to (match 'unknown'), so the panel can say "maybe" rather than nothing.
 */
export function deploymentsOfVersion(revisions: readonly RevisionOfService[], name: string, version: number): VersionDeployment[] {
  const out: VersionDeployment[] = [];
  for (const r of revisions) {
    const requested = r.modelVersion;
    if (!requested || !requested.startsWith('models:/')) continue;
    const ref = refOf(requested);
    if (!ref || ref.name !== name) continue;
    const resolved = refOf(typeof r.config[RESOLVED_MODEL_CONFIG_KEY] === 'string' ? r.config[RESOLVED_MODEL_CONFIG_KEY] as string : '');
    const exact = ref.kind === 'version' ? ref : resolved?.kind === 'version' ? resolved : undefined;
    if (exact && exact.version !== version) continue;
    out.push({
      service: r.service, revision: r.revision, status: r.status, target: r.target, createdAt: r.createdAt,
      requested, match: exact ? 'serves' : 'unknown',
    });
  }
  return out.sort((a, b) => a.service.localeCompare(b.service) || b.revision - a.revision);
}

function refOf(uri: string): ModelRef | undefined {
  try {
    return uri ? parseModelUri(uri) : undefined;
  } catch {
    return undefined;
  }
}

/** One row of a signature table: a named column, or a tensor spec. */
export interface SignatureField { name: string; type: string }

/**
 * A signature ({"inputs": columns | tensor, "outputs": ...}, see _signature.py) as two tables;
 * anything of another shape is shown raw rather than dropped.
 */
export function signatureTables(signature: unknown): { inputs: SignatureField[]; outputs: SignatureField[]; raw?: string } | null {
  if (signature === null || signature === undefined) return null;
  if (typeof signature !== 'object' || Array.isArray(signature)) return { inputs: [], outputs: [], raw: JSON.stringify(signature) };
  const s = signature as { inputs?: unknown; outputs?: unknown };
  const inputs = fieldsOf(s.inputs);
  const outputs = fieldsOf(s.outputs);
  if (!inputs || !outputs) return { inputs: inputs ?? [], outputs: outputs ?? [], raw: JSON.stringify(signature) };
  return { inputs, outputs };
}

function fieldsOf(part: unknown): SignatureField[] | undefined {
  if (part === null || part === undefined) return [];
  if (Array.isArray(part)) {
    const fields = part.map((c) => (c && typeof c === 'object' ? c as { name?: unknown; type?: unknown } : undefined))
      .map((c, i) => (c ? { name: typeof c.name === 'string' ? c.name : `#${i}`, type: typeof c.type === 'string' ? c.type : 'unknown' } : undefined));
    return fields.every((f) => f !== undefined) ? fields as SignatureField[] : undefined;
  }
  if (typeof part === 'object') {
    const t = part as { type?: unknown; dtype?: unknown; shape?: unknown };
    if (t.type === 'tensor') {
      const shape = Array.isArray(t.shape) ? `[${t.shape.map((d) => (d === -1 ? 'n' : String(d))).join(', ')}]` : '';
      return [{ name: `tensor ${shape}`.trim(), type: typeof t.dtype === 'string' ? t.dtype : 'unknown' }];
    }
  }
  return undefined;
}

/** The model tag that marks a registered model as a tracked dataset ("Track Data File…"). */
export const KIND_TAG = 'modelcloud.kind';
export const DATASET_KIND = 'dataset';

export function isDatasetModel(tags: Readonly<Record<string, string>>): boolean {
  return tags[KIND_TAG] === DATASET_KIND;
}
