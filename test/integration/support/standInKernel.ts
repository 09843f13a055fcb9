// A stand-in for the Jupyter extension (ms-toolsai.jupyter cannot be installed in the test
// code-server): implements its `Kernels` / `Kernel` API (@vscode/jupyter-extension) over a REAL
// ipykernel, driven through jupyter_client by kernel_stand_in.py (JSON lines over stdin/stdout).
import * as vscode from 'vscode';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Kernel, KernelStatus } from '@vscode/jupyter-extension';
import type { JupyterKernelsLike } from '../../../src/features/notebooks/kernelSource';

type Output = { items: Array<{ mime: string; data: Uint8Array }> };
type Reply = { output?: { items: Array<{ mime: string; text: string }> }; done?: boolean; error?: string };

/** One real ipykernel behind the jupyter-extension `Kernel` interface. */
export class StandInKernel implements Kernel {
  private statusNow: KernelStatus = 'starting';
  private readonly statusChanged = new vscode.EventEmitter<KernelStatus>();
  readonly onDidChangeStatus = this.statusChanged.event;
  readonly language = 'python';
  /** Every code string executed, in order (lets tests see that nothing ran). */
  readonly executed: string[] = [];
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private nextId = 1;
  private readonly ready: Promise<void>;
  private exited = false;
  private stderr = '';

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    let resolveReady!: () => void;
    let rejectReady!: (error: Error) => void;
    this.ready = new Promise((resolve, reject) => { resolveReady = resolve; rejectReady = reject; });
    createInterface({ input: child.stdout }).on('line', (line) => {
      let message: Record<string, unknown>;
      try { message = JSON.parse(line) as Record<string, unknown>; } catch { return; }
      if (message.event === 'status') this.setStatus(message.status as KernelStatus);
      else if (message.event === 'ready') resolveReady();
      else if (typeof message.id === 'number') this.pending.get(message.id)?.(message as Reply);
    });
    child.stderr.on('data', (chunk: Buffer) => { this.stderr = (this.stderr + chunk.toString()).slice(-4000); });
    child.on('exit', (code) => {
      this.exited = true;
      rejectReady(new Error(`kernel_stand_in.py exited with ${code}: ${this.stderr}`));
      for (const deliver of this.pending.values()) deliver({ error: `kernel_stand_in.py exited with ${code}: ${this.stderr}` });
    });
  }

  /** Starts python `helper` (kernel_stand_in.py) with a fresh ipykernel whose cwd is `cwd`. */
  static async start(python: string, helper: string, cwd: string): Promise<StandInKernel> {
    const child = spawn(python, [helper, cwd], { cwd, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
    const kernel = new StandInKernel(child);
    await Promise.race([kernel.ready, new Promise((_, reject) => setTimeout(() => reject(new Error(`the stand-in kernel did not start in 60 s: ${kernel.stderr}`)), 60_000))]);
    return kernel;
  }

  get status(): KernelStatus {
    return this.statusNow;
  }

  async *executeCode(code: string, token: vscode.CancellationToken): AsyncGenerator<Output, void, unknown> {
    this.executed.push(code);
    const queue: Reply[] = [];
    let wake: (() => void) | undefined;
    const id = this.request({ op: 'execute', code }, (reply) => { queue.push(reply); wake?.(); });
    try {
      for (;;) {
        if (token.isCancellationRequested) throw new vscode.CancellationError();
        const reply = queue.shift();
        if (!reply) {
          await new Promise<void>((resolve) => { wake = resolve; });
          continue;
        }
        if (reply.error) throw new Error(reply.error);
        if (reply.output) yield { items: reply.output.items.map((item) => ({ mime: item.mime, data: new TextEncoder().encode(item.text) })) };
        if (reply.done) return;
      }
    } finally {
      this.pending.delete(id);
    }
  }

  /** Restarts the ipykernel (status restarting → idle), as "Restart Kernel" does. */
  restart(): Promise<void> {
    return new Promise((resolve, reject) => {
      const id = this.request({ op: 'restart' }, (reply) => {
        this.pending.delete(id);
        if (reply.error) reject(new Error(reply.error)); else resolve();
      });
    });
  }

  async shutdown(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.write(`${JSON.stringify({ id: 0, op: 'shutdown' })}\n`);
    await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (!this.exited) this.child.kill('SIGKILL');
    this.statusChanged.dispose();
  }

  private request(body: Record<string, unknown>, onReply: (reply: Reply) => void): number {
    if (this.exited) throw new Error(`the stand-in kernel has exited: ${this.stderr}`);
    const id = this.nextId++;
    this.pending.set(id, onReply);
    this.child.stdin.write(`${JSON.stringify({ id, ...body })}\n`);
    return id;
  }

  private setStatus(status: KernelStatus): void {
    this.statusNow = status;
    this.statusChanged.fire(status);
  }
}

/**
 * The jupyter-extension `kernels` API over stand-in kernels: `getKernel(uri)` answers for kernels
 * "started by the user" through startFor(). With `withStartEvent`, it also offers the proposed
 * `onDidStart` event (fired on start and restart), otherwise only the stable API.
 */
export class StandInJupyterKernels implements JupyterKernelsLike {
  private readonly kernels = new Map<string, StandInKernel>();
  private readonly startEmitter = new vscode.EventEmitter<{ uri: vscode.Uri; kernel: StandInKernel }>();
  readonly onDidStart?: JupyterKernelsLike['onDidStart'];
  /** How many getKernel calls were answered; lets a test see the bridge asking. */
  getKernelCalls = 0;
  /** When set, getKernel fails as the Jupyter extension does when the user refused access. */
  refuseAccess = false;

  constructor(private readonly python: string, private readonly helper: string, withStartEvent = false) {
    if (withStartEvent) this.onDidStart = this.startEmitter.event;
  }

  async startFor(notebook: vscode.Uri, cwd: string): Promise<StandInKernel> {
    const kernel = await StandInKernel.start(this.python, this.helper, cwd);
    this.kernels.set(notebook.toString(), kernel);
    this.startEmitter.fire({ uri: notebook, kernel });
    return kernel;
  }

  async restart(notebook: vscode.Uri): Promise<void> {
    const kernel = this.kernels.get(notebook.toString());
    if (!kernel) throw new Error(`no stand-in kernel for ${notebook.toString()}`);
    await kernel.restart();
    this.startEmitter.fire({ uri: notebook, kernel });
  }

  getKernel(uri: vscode.Uri): Thenable<Kernel | undefined> {
    this.getKernelCalls++;
    if (this.refuseAccess) return Promise.reject(new Error('Access to Jupyter Kernel has been revoked'));
    return Promise.resolve(this.kernels.get(uri.toString()));
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.kernels.values()].map((k) => k.shutdown()));
    this.kernels.clear();
    this.startEmitter.dispose();
  }
}
