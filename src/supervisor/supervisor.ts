// One service's supervisor: owns the stable port (the reverse proxy), starts revisions behind it,
// switches traffic only to a revision that passed /readyz, drains and stops the old one, restarts a
// crashed revision with backoff, and rolls back automatically when the error rate says so.
import { existsSync, readFileSync } from 'node:fs';
import { ErrorWindow, shouldAutoRollback, type AutoRollbackPolicy } from '../core/deploy/errorWindow';
import { nextDeployPhase, describeDeployPhase, type DeployPhase, type DeployEvent } from '../core/deploy/deployPhases';
import { restartBackoffMs, CRASHES_BEFORE_DOWN } from '../core/deploy/serviceState';
import type { ServicePaths } from '../platform/deploy/servicePaths';
import { writeFileAtomic, readJsonFile } from '../platform/deploy/servicePaths';
import type {
  ActivateResult, RevisionSpec, ServiceRecord, StatusResponse, SupervisorEvent, SupervisorState,
} from '../platform/deploy/supervisorProtocol';
import { ReverseProxy, makeBackend } from './proxy';
import { LogSink } from './logSink';
import { startRevision, waitReady, logExcerpt, killGroup, sleep, type RunningRevision, type RunnerContext } from './revisionRunner';
import { CliContainerEngine } from '../platform/containers/engine';

interface Active {
  run: RunningRevision;
  since: number;
  health: 'ready' | 'restarting' | 'down';
  crashes: number;
}

/** Processes and containers this supervisor started, kept on disk so a new supervisor can clean up after a crashed one. */
interface Leftovers { pids: number[]; containers: Array<{ engine: 'docker' | 'podman'; name: string }> }

export class Supervisor {
  readonly proxy: ReverseProxy;
  readonly sink: LogSink;
  private record: ServiceRecord;
  private active: Active | undefined;
  private activating: number | undefined;
  private state: SupervisorState;
  private window: ErrorWindow;
  private queue: Promise<unknown> = Promise.resolve();
  private lastError: string | undefined;
  private autoRollbackPending = false;
  private stopped = false;
  private readonly starting = new Set<RunningRevision>();
  private port = 0;
  /** The revision being drained during a switch (for progress messages). */
  private draining: number | undefined;

  constructor(private readonly paths: ServicePaths, private readonly adminToken: string) {
    const record = readJsonFile<ServiceRecord>(paths.serviceFile);
    if (!record) throw new Error(`no readable ${paths.serviceFile}; deploy the service again`);
    this.record = record;
    this.sink = new LogSink(paths.logFile);
    this.state = readJsonFile<SupervisorState>(paths.stateFile) ?? { events: [] };
    this.window = new ErrorWindow(record.autoRollback.windowMs);
    this.proxy = new ReverseProxy((isError) => this.onProxied(isError), () => this.unavailableMessage());
  }

  get name(): string { return this.record.name; }

  async listen(): Promise<number> {
    this.port = await this.proxy.listen(this.record.port);
    this.sink.event(`supervisor ${process.pid} proxying 127.0.0.1:${this.port} for ${this.record.name}`);
    return this.port;
  }

  /** After a supervisor restart: clean up what a previous one left behind, then bring the last active revision back. */
  async resume(): Promise<void> {
    await this.killLeftovers();
    const spec = this.state.active;
    if (!spec) return;
    this.sink.event(`resuming revision ${spec.revision}`);
    const result = await this.activate(spec, (m) => this.sink.event(m));
    if (!result.ok) this.sink.event(`could not resume revision ${spec.revision}: ${result.reason}`);
  }

  status(): StatusResponse {
    const a = this.active;
    return {
      pid: process.pid,
      port: this.port,
      active: a && {
        revision: a.run.spec.revision, health: a.health, modelVersion: a.run.spec.modelVersion,
        workers: a.run.spec.workers, since: a.since, crashes: a.crashes,
      },
      activating: this.activating,
      errorRate: this.window.snapshot(Date.now()),
      lastError: this.lastError,
      events: this.state.events,
    };
  }

  setPolicy(policy: AutoRollbackPolicy): void {
    if (policy.windowMs !== this.record.autoRollback.windowMs) this.window = new ErrorWindow(policy.windowMs);
    this.record = { ...this.record, autoRollback: policy };
  }

  /** The manager rewrites service.json before each switch (timeouts, policy); the port stays what we bound. */
  private reloadRecord(): void {
    const record = readJsonFile<ServiceRecord>(this.paths.serviceFile);
    if (!record) return;
    this.setPolicy(record.autoRollback);
    this.record = { ...record, port: this.record.port };
  }

  /** Health-gated switch to `spec`. Serialised: one switch at a time. */
  activate(spec: RevisionSpec, progress: (message: string) => void, signal?: AbortSignal, onSwitched?: () => void): Promise<ActivateResult> {
    return this.enqueue(() => this.switchTo(spec, progress, signal, onSwitched));
  }

  /** A fresh instance of the active revision (blue/green), optionally with another worker count. */
  restartActive(progress: (m: string) => void, workers?: number): Promise<ActivateResult> {
    const spec = this.state.active;
    if (!spec) return Promise.resolve({ ok: false, revision: 0, reason: 'no revision is active; deploy first', logExcerpt: '' });
    return this.activate(workers === undefined ? spec : { ...spec, workers }, progress);
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.sink.event('stopping');
    await this.queue.catch(() => undefined);
    const old = this.active;
    this.active = undefined;
    this.proxy.setBackend(undefined);
    await Promise.all([...(old ? [old.run.stop()] : []), ...[...this.starting].map((r) => r.stop())]);
    await this.proxy.close();
    this.saveLeftovers();
    this.sink.event('stopped');
  }

  // ------------------------------------------------------------------ internals

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async switchTo(spec: RevisionSpec, progress: (message: string) => void, signal?: AbortSignal, onSwitched?: () => void): Promise<ActivateResult> {
    if (this.stopped) return { ok: false, revision: spec.revision, reason: 'the supervisor is stopping', logExcerpt: '' };
    this.reloadRecord();
    let phase: DeployPhase = 'starting';
    const step = (event: DeployEvent): void => {
      phase = nextDeployPhase(phase, event);
      const message = describeDeployPhase(phase, spec.revision, this.draining);
      this.sink.event(message);
      progress(message);
    };
    this.sink.event(describeDeployPhase('starting', spec.revision));
    progress(describeDeployPhase('starting', spec.revision));
    this.activating = spec.revision;
    let run: RunningRevision | undefined;
    try {
      try {
        run = await startRevision(spec, this.runnerContext());
        this.starting.add(run);
        this.saveLeftovers();
        step({ type: 'started' });
        await waitReady(run, this.record.readyTimeoutMs, signal);
      } catch (error) {
        const reason = (error as Error).message;
        const excerpt = run ? logExcerpt(run) : '';
        if (run) { this.starting.delete(run); await run.stop(); }
        this.saveLeftovers();
        step({ type: 'not-ready', reason });
        this.lastError = reason;
        return { ok: false, revision: spec.revision, reason, logExcerpt: excerpt };
      }
      step({ type: 'ready' });
      // The switch itself: new requests go to the new revision from here on.
      const old = this.active;
      this.draining = old?.run.spec.revision;
      this.starting.delete(run);
      this.active = { run, since: Date.now(), health: 'ready', crashes: 0 };
      const oldBackend = this.proxy.setBackend(makeBackend(spec.revision, run.port));
      this.window.reset();
      const previousSpec = this.state.active;
      const sameRevision = previousSpec?.revision === spec.revision;
      this.state = { ...this.state, active: spec, previous: sameRevision ? this.state.previous : previousSpec ?? this.state.previous };
      onSwitched?.();
      this.persist();
      this.watchCrashes(this.active);
      step({ type: 'switched' });
      if (old) {
        const deadline = Date.now() + this.record.drainTimeoutMs;
        while (oldBackend && oldBackend.inFlight > 0 && Date.now() < deadline) await sleep(50);
        await old.run.stop();
        oldBackend?.agent.destroy();
      }
      this.saveLeftovers();
      step({ type: 'drained' });
      this.lastError = undefined;
      return { ok: true, revision: spec.revision, port: this.port };
    } finally {
      this.activating = undefined;
      this.draining = undefined;
    }
  }

  /** A crash of the active revision: 503s while down, then restarts with backoff until it is ready again or replaced. */
  private watchCrashes(active: Active): void {
    void active.run.exited.then(async (why) => {
      if (this.active !== active || this.stopped) return; // replaced or stopped on purpose
      this.lastError = `revision ${active.run.spec.revision} ${why}`;
      this.sink.event(`${this.lastError}; restarting`);
      active.health = 'restarting';
      this.proxy.setBackend(undefined);
      while (this.active === active && !this.stopped) {
        active.crashes++;
        if (active.crashes >= CRASHES_BEFORE_DOWN) active.health = 'down';
        await sleep(restartBackoffMs(active.crashes));
        if (this.active !== active || this.stopped) return;
        const result = await this.enqueue(async () => {
          if (this.active !== active || this.stopped) return 'replaced' as const;
          let run: RunningRevision | undefined;
          try {
            run = await startRevision(active.run.spec, this.runnerContext());
            this.starting.add(run);
            await waitReady(run, this.record.readyTimeoutMs);
            this.starting.delete(run);
            const revived: Active = { run, since: Date.now(), health: 'ready', crashes: active.crashes };
            this.active = revived;
            this.proxy.setBackend(makeBackend(run.spec.revision, run.port));
            this.saveLeftovers();
            this.watchCrashes(revived);
            this.sink.event(`revision ${run.spec.revision} is serving again after ${active.crashes} restart(s)`);
            return 'ok' as const;
          } catch (error) {
            this.lastError = `restart of revision ${active.run.spec.revision} failed: ${(error as Error).message}`;
            this.sink.event(this.lastError);
            if (run) { this.starting.delete(run); await run.stop(); }
            return 'failed' as const;
          }
        });
        if (result !== 'failed') return;
      }
    });
  }

  private lastCheck = 0;

  private onProxied(isError: boolean): void {
    const now = Date.now();
    this.window.record(now, isError);
    if (now - this.lastCheck < 250 || this.autoRollbackPending) return;
    this.lastCheck = now;
    const active = this.active;
    const previous = this.state.previous;
    if (!active || !shouldAutoRollback(this.record.autoRollback, this.window.snapshot(now), active.since, now, previous !== undefined)) return;
    const snap = this.window.snapshot(now);
    const from = active.run.spec.revision;
    const reason = `automatic rollback: ${snap.errors} of ${snap.requests} requests failed ` +
      `(${Math.round(snap.rate * 100)}% >= ${Math.round(this.record.autoRollback.threshold * 100)}%) ` +
      `in the last ${Math.round(this.record.autoRollback.windowMs / 1000)} s on revision ${from}`;
    this.autoRollbackPending = true;
    this.sink.event(`${reason}; rolling back to revision ${previous!.revision}`);
    // The event is recorded the moment traffic moves, so anyone who sees the old revision answer also sees why.
    const record = (): void => {
      const events = this.state.events;
      const event: SupervisorEvent = { seq: (events[events.length - 1]?.seq ?? 0) + 1, at: Date.now(), type: 'auto-rollback', from, to: previous!.revision, reason };
      this.state = { ...this.state, events: [...events, event].slice(-50) };
      this.lastError = reason;
    };
    void this.activate(previous!, (m) => this.sink.event(m), undefined, record).then((result) => {
      if (result.ok) {
        // The culprit is not a rollback target any more: no ping-pong between two bad revisions.
        this.state = { ...this.state, previous: undefined };
        this.persist();
      } else {
        this.sink.event(`automatic rollback to revision ${previous!.revision} failed: ${result.reason}`);
      }
    }).finally(() => { this.autoRollbackPending = false; });
  }

  private unavailableMessage(): string {
    if (this.active?.health === 'restarting' || this.active?.health === 'down') {
      return `revision ${this.active.run.spec.revision} of ${this.record.name} crashed and is restarting: ${this.lastError ?? ''}`;
    }
    if (this.activating !== undefined) return `${this.record.name} is starting revision ${this.activating}; retry shortly`;
    return `${this.record.name} has no active revision; deploy it (modelcloud deploy)`;
  }

  private runnerContext(): RunnerContext {
    return {
      sink: this.sink,
      logFileOf: (n) => this.paths.revisionLog(n),
      stateDirOf: (n) => this.paths.revisionState(n),
      adminToken: this.adminToken,
      serviceName: this.record.name,
    };
  }

  private persist(): void {
    writeFileAtomic(this.paths.stateFile, `${JSON.stringify(this.state, null, 2)}\n`);
  }

  private leftoversFile(): string {
    return `${this.paths.dir}/leftovers.json`;
  }

  private saveLeftovers(): void {
    const runs = [...this.starting, ...(this.active ? [this.active.run] : [])].filter((r) => !r.hasExited());
    const left: Leftovers = {
      pids: runs.flatMap((r) => (r.pid !== undefined ? [r.pid] : [])),
      containers: runs.flatMap((r) => (r.containerName && r.spec.engine ? [{ engine: r.spec.engine, name: r.containerName }] : [])),
    };
    try { writeFileAtomic(this.leftoversFile(), JSON.stringify(left)); } catch { /* folder removed by stop */ }
  }

  private async killLeftovers(): Promise<void> {
    if (!existsSync(this.leftoversFile())) return;
    let left: Leftovers;
    try { left = JSON.parse(readFileSync(this.leftoversFile(), 'utf8')) as Leftovers; } catch { return; }
    for (const pid of left.pids) killGroup(pid, 'SIGKILL');
    for (const c of left.containers) await new CliContainerEngine(c.engine).remove(c.name).catch(() => undefined);
    this.saveLeftovers();
  }
}
