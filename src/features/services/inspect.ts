// Inspect Service: `python -m modelcloud inspect <cloud_model.py>` prints the service's commands
// with their input/output JSON Schemas; this runs it and renders the answer as Markdown.
import { spawn } from 'node:child_process';
import { basename, dirname } from 'node:path';

export interface InspectedCommand {
  name: string;
  inputs: JsonSchema;
  outputs: JsonSchema;
  doc?: string | null;
  /** A valid request body, when the runtime can make one up from the declared types. */
  example?: unknown;
}

export interface InspectResult {
  service: string;
  commands: InspectedCommand[];
  openapi?: unknown;
}

interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  [key: string]: unknown;
}

export class InspectError extends Error {
  constructor(message: string, readonly output: string) {
    super(message);
    this.name = 'InspectError';
  }
}

const TIMEOUT_MS = 60_000;

export function runInspect(python: string, entryFile: string, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<InspectResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-m', 'modelcloud', 'inspect', entryFile], {
      cwd: dirname(entryFile), env, stdio: ['ignore', 'pipe', 'pipe'], signal, timeout: TIMEOUT_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    child.on('error', (error) => {
      const notFound = (error as NodeJS.ErrnoException).code === 'ENOENT';
      reject(new InspectError(notFound
        ? `Python interpreter "${python}" was not found. Set MODELCLOUD_PYTHON or the "python.defaultInterpreterPath" setting to a Python 3.9+ interpreter.`
        : `could not run ${python}: ${error.message}`, stderr));
    });
    child.on('close', (code, killedBy) => {
      if (code !== 0) {
        const detail = lastLines(stderr || stdout, 6);
        reject(new InspectError(killedBy
          ? `${python} -m modelcloud inspect ${basename(entryFile)} was stopped (${killedBy}${killedBy === 'SIGTERM' ? `, probably the ${TIMEOUT_MS / 1000} s time limit` : ''}).`
          : `${python} -m modelcloud inspect ${basename(entryFile)} exited with code ${code}: ${detail || '(no output)'}`, stderr));
        return;
      }
      try {
        resolve(parseInspectOutput(stdout));
      } catch (error) {
        reject(new InspectError(`${python} -m modelcloud inspect printed something that is not the expected JSON (${error instanceof Error ? error.message : String(error)}). Is the bundled modelcloud package on PYTHONPATH?`, stdout + stderr));
      }
    });
  });
}

export function parseInspectOutput(stdout: string): InspectResult {
  const value = JSON.parse(stdout) as Partial<InspectResult>;
  if (typeof value.service !== 'string' || !Array.isArray(value.commands)) throw new Error('missing "service" or "commands"');
  return value as InspectResult;
}

/** Markdown: one section per command with its inputs and outputs as tables, then the raw schemas. */
export function renderInspectMarkdown(result: InspectResult, entryFile: string): string {
  const lines = [`# Service \`${result.service}\``, '', `Source: \`${entryFile}\``, ''];
  if (result.commands.length === 0) lines.push('This service declares no commands (`@modelcloud.command`).', '');
  for (const command of result.commands) {
    lines.push(`## \`POST /${command.name}\``, '');
    if (command.doc) lines.push(command.doc.trim(), '');
    lines.push('### Inputs', '', ...schemaTable(command.inputs), '', '### Outputs', '', ...schemaTable(command.outputs), '');
    if (command.example !== undefined) {
      lines.push('### Example request', '', '```sh', `curl -X POST http://127.0.0.1:PORT/${command.name} -H 'content-type: application/json' -d '${JSON.stringify(command.example).replace(/'/g, "'\\''")}'`, '```', '');
    }
  }
  lines.push('## JSON Schemas', '', '```json', JSON.stringify(
    Object.fromEntries(result.commands.map((c) => [c.name, { inputs: c.inputs, outputs: c.outputs }])), null, 2), '```', '');
  return lines.join('\n');
}

function schemaTable(schema: JsonSchema | undefined): string[] {
  const properties = Object.entries(schema?.properties ?? {});
  if (properties.length === 0) return ['(none)'];
  const required = new Set(schema?.required ?? []);
  const rows = ['| Field | Type | Required | Description | Constraints |', '| --- | --- | --- | --- | --- |'];
  for (const [name, property] of properties) {
    rows.push(`| \`${name}\` | ${typeOf(property)} | ${required.has(name) ? 'yes' : 'no'} | ${cell(property.description ?? '')} | ${cell(constraints(property))} |`);
  }
  return rows;
}

function typeOf(schema: JsonSchema): string {
  const type = Array.isArray(schema.type) ? schema.type.join(' \\| ') : schema.type ?? 'any';
  return type === 'array' && schema.items ? `array of ${typeOf(schema.items)}` : type;
}

function constraints(schema: JsonSchema): string {
  const parts: string[] = [];
  if (schema.minimum !== undefined) parts.push(`≥ ${schema.minimum}`);
  if (schema.maximum !== undefined) parts.push(`≤ ${schema.maximum}`);
  if (schema.minLength !== undefined) parts.push(`length ≥ ${schema.minLength}`);
  if (schema.maxLength !== undefined) parts.push(`length ≤ ${schema.maxLength}`);
  if (schema.enum) parts.push(`one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  if (schema.default !== undefined) parts.push(`default ${JSON.stringify(schema.default)}`);
  return parts.join(', ');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join('\n');
}
