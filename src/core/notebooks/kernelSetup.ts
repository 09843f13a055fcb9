// The code the kernel bridge runs in a freshly started Python kernel, and the reading of what it
// prints back. Pure: no vscode, no I/O, so the escaping and parsing are unit-tested.

/** Printed before the JSON result line, so the result is found among whatever else the kernel prints. */
export const BRIDGE_MARKER = '__modelcloud_bridge__';

export interface KernelSetupInput {
  /** Folder that holds the bundled `modelcloud` package (the extension's `src/python`). */
  pythonDir: string;
  /** The workspace store (`<root>/.modelcloud`), exported to the kernel as MODELCLOUD_DIR. */
  storeDir: string;
}

/** What `modelcloud.notebook.bridge_info()` returns (more keys may follow; they are kept). */
export interface BridgeInfo {
  version: string;
  storeDir: string;
  magics: string[];
  [key: string]: unknown;
}

export type BridgeSetupResult =
  | { ok: true; info: BridgeInfo }
  | { ok: false; error: string };

/**
 * A Python string literal for `value`. JSON string syntax is a subset of Python's (\" \\ \n \uXXXX),
 * so any path — quotes, backslashes, newlines, non-ASCII — round-trips exactly.
 */
export function pythonStringLiteral(value: string): string {
  return JSON.stringify(value);
}

/**
 * Setup code for one kernel start. Runs inside a function so nothing but the loaded extension is
 * left in the user's namespace, and reports success or the failure as one marked JSON line
 * instead of a traceback (the bridge shows it as one warning in the output channel).
 */
export function buildKernelSetupCode(input: KernelSetupInput): string {
  return [
    'def __modelcloud_bridge_setup():',
    '    import json, os, sys',
    `    python_dir = ${pythonStringLiteral(input.pythonDir)}`,
    '    if python_dir not in sys.path:',
    '        sys.path.insert(0, python_dir)',
    `    os.environ["MODELCLOUD_DIR"] = ${pythonStringLiteral(input.storeDir)}`,
    '    try:',
    '        get_ipython().extension_manager.load_extension("modelcloud")',
    '        import modelcloud.notebook',
    '        result = modelcloud.notebook.bridge_info()',
    '    except BaseException as error:',
    '        result = {"error": "%s: %s" % (type(error).__name__, error)}',
    `    print(${pythonStringLiteral(BRIDGE_MARKER)} + json.dumps(result, default=str), flush=True)`,
    'try:',
    '    __modelcloud_bridge_setup()',
    'finally:',
    '    del __modelcloud_bridge_setup',
    '',
  ].join('\n');
}

/**
 * Reads the setup result from the kernel's printed text (all stdout of the setup execution).
 * The last marked line wins; no marked line means the code never reached the print (e.g. the
 * kernel is not IPython), which is reported with the text it printed instead.
 */
export function parseBridgeSetupOutput(stdout: string): BridgeSetupResult {
  const lines = stdout.split(/\r?\n/).filter((line) => line.startsWith(BRIDGE_MARKER));
  const last = lines.at(-1);
  if (last === undefined) {
    const printed = stdout.trim();
    return { ok: false, error: printed ? `the setup code printed no result (output: ${truncate(printed, 300)})` : 'the setup code printed nothing' };
  }
  let value: unknown;
  try {
    value = JSON.parse(last.slice(BRIDGE_MARKER.length));
  } catch (error) {
    return { ok: false, error: `the setup result is not JSON (${error instanceof Error ? error.message : String(error)}): ${truncate(last, 300)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: `the setup result is not an object: ${truncate(last, 300)}` };
  const record = value as Record<string, unknown>;
  if (typeof record.error === 'string') return { ok: false, error: record.error };
  if (typeof record.version !== 'string' || typeof record.storeDir !== 'string' || !Array.isArray(record.magics)) {
    return { ok: false, error: `bridge_info() returned an unexpected shape (want version, storeDir, magics): ${truncate(last, 300)}` };
  }
  return { ok: true, info: { ...record, version: record.version, storeDir: record.storeDir, magics: record.magics.map(String) } };
}

/** The traceback of a kernel error output (`application/vnd.code.notebook.error` JSON) as one line. */
export function describeKernelError(json: string): string {
  try {
    const value = JSON.parse(json) as { name?: unknown; message?: unknown };
    const name = typeof value.name === 'string' ? value.name : 'Error';
    const message = typeof value.message === 'string' ? value.message : '';
    return message ? `${name}: ${message}` : name;
  } catch {
    return truncate(json, 300);
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
