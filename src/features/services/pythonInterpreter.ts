// Which Python runs `modelcloud inspect` and local-process deploys: MODELCLOUD_PYTHON (what the
// test harness and advanced users set), else the Python extension's interpreter setting
// (`python.defaultInterpreterPath`) when it names one, else `python3` on PATH. The bundled
// `modelcloud` package goes on PYTHONPATH, as in the terminals (features/terminal/pythonEnvironment).
import * as vscode from 'vscode';
import { delimiter } from 'node:path';

export function servicePython(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.MODELCLOUD_PYTHON?.trim();
  if (fromEnv) return fromEnv;
  const configured = vscode.workspace.getConfiguration('python').get<string>('defaultInterpreterPath', '').trim();
  if (configured && configured !== 'python') return configured;
  return process.platform === 'win32' ? 'python' : 'python3';
}

/** The environment for a Python child process that must `import modelcloud` (the bundled copy first). */
export function pythonEnvironment(bundledPythonDir: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const existing = env.PYTHONPATH;
  return { ...env, PYTHONPATH: existing ? `${bundledPythonDir}${delimiter}${existing}` : bundledPythonDir, PYTHONUNBUFFERED: '1' };
}
