// Model URIs, as MLflow spells them: `models:/NAME/3` (a version), `models:/NAME@alias`,
// `models:/NAME/Production` (the newest version in a stage) and `models:/NAME/latest`.
// Pure: resolution against the registry happens in src/platform/registry.
import { STAGES, type Stage } from './stages';

export type ModelRef =
  | { name: string; kind: 'version'; version: number }
  | { name: string; kind: 'alias'; alias: string }
  | { name: string; kind: 'stage'; stage: Stage }
  | { name: string; kind: 'latest' };

export class ModelUriError extends Error {
  constructor(readonly uri: string, reason: string) {
    super(`invalid model URI '${uri}': ${reason}. Expected models:/NAME/VERSION, models:/NAME@ALIAS, ` +
      `models:/NAME/STAGE (${STAGES.join(', ')}) or models:/NAME/latest`);
    this.name = 'ModelUriError';
  }
}

const PREFIX = 'models:/';
/** Model and alias names: no '/', '@' or whitespace, so a URI splits one way only. */
const NAME = /^[^/@\s]+$/;

export function parseModelUri(uri: string): ModelRef {
  const text = uri.trim();
  if (!text.startsWith(PREFIX)) throw new ModelUriError(uri, `it must start with '${PREFIX}'`);
  const body = text.slice(PREFIX.length);
  if (body === '') throw new ModelUriError(uri, 'the model name is missing');
  const at = body.indexOf('@');
  if (at >= 0) {
    const name = body.slice(0, at);
    const alias = body.slice(at + 1);
    checkName(uri, name, 'model name');
    checkName(uri, alias, 'alias');
    return { name, kind: 'alias', alias };
  }
  const parts = body.split('/');
  if (parts.length !== 2) {
    throw new ModelUriError(uri, parts.length === 1 ? 'a version, stage or @alias must follow the name' : 'too many \'/\'');
  }
  const [name, selector] = parts;
  checkName(uri, name, 'model name');
  if (/^\d+$/.test(selector)) {
    const version = Number(selector);
    if (version < 1 || !Number.isSafeInteger(version)) throw new ModelUriError(uri, `version ${selector} must be 1 or more`);
    return { name, kind: 'version', version };
  }
  if (selector.toLowerCase() === 'latest') return { name, kind: 'latest' };
  const stage = STAGES.find((s) => s.toLowerCase() === selector.toLowerCase());
  if (stage) return { name, kind: 'stage', stage };
  throw new ModelUriError(uri, `'${selector}' is neither a version number, a stage nor 'latest'`);
}

export function formatModelUri(ref: ModelRef): string {
  switch (ref.kind) {
    case 'version': return `${PREFIX}${ref.name}/${ref.version}`;
    case 'alias': return `${PREFIX}${ref.name}@${ref.alias}`;
    case 'stage': return `${PREFIX}${ref.name}/${ref.stage}`;
    case 'latest': return `${PREFIX}${ref.name}/latest`;
  }
}

/** Whether a model or alias name can appear in a URI; the registry refuses others at creation. */
export function isValidModelName(name: string): boolean {
  return NAME.test(name);
}

function checkName(uri: string, name: string, what: string): void {
  if (name === '') throw new ModelUriError(uri, `the ${what} is empty`);
  if (!NAME.test(name)) throw new ModelUriError(uri, `the ${what} '${name}' contains '/', '@' or whitespace`);
}
