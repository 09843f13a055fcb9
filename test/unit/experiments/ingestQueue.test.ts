import { strict as assert } from 'node:assert';
import { IngestQueue, type IngestWork, type Timers } from '../../../src/core/watch/ingestQueue';

/** Timers driven by hand: advance(ms) fires due callbacks in time order. */
class ManualClock implements Timers {
  nowMs = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { at: number; callback: () => void }>();

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { at: this.nowMs + ms, callback });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  get timerCount(): number {
    return this.pending.size;
  }
  async advance(ms: number): Promise<void> {
    const end = this.nowMs + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= end).sort(([, a], [, b]) => a.at - b.at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.nowMs = due[1].at;
      due[1].callback();
      await flush();
    }
    this.nowMs = end;
    await flush();
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** An ingest whose runs finish only when the test says so. */
class ControlledIngest {
  readonly calls: IngestWork[] = [];
  private finishers: Array<(value: number) => void> = [];
  private failers: Array<(error: Error) => void> = [];
  run = (work: IngestWork): Promise<number> => {
    this.calls.push({ all: work.all, paths: [...work.paths].sort() });
    return new Promise<number>((resolve, reject) => {
      this.finishers.push(resolve);
      this.failers.push(reject);
    });
  };
  finish(value = this.calls.length): void {
    this.failers.shift();
    this.finishers.shift()!(value);
  }
  fail(error: Error): void {
    this.finishers.shift();
    this.failers.shift()!(error);
  }
}

describe('IngestQueue', () => {
  let clock: ManualClock;
  let ingest: ControlledIngest;
  let errors: unknown[];
  let queue: IngestQueue<number>;

  beforeEach(() => {
    clock = new ManualClock();
    ingest = new ControlledIngest();
    errors = [];
    queue = new IngestQueue(ingest.run, clock, () => clock.nowMs, { debounceMs: 100, maxWaitMs: 400, onError: (e) => errors.push(e) });
  });

  it('waits for quiet before ingesting and coalesces a burst into one run', async () => {
    queue.notify('/w/a.jsonl');
    await clock.advance(60);
    queue.notify('/w/b.jsonl');
    queue.notify('/w/a.jsonl');
    await clock.advance(99);
    assert.equal(ingest.calls.length, 0, 'no run before 100 ms of quiet');
    await clock.advance(1);
    assert.deepEqual(ingest.calls, [{ all: false, paths: ['/w/a.jsonl', '/w/b.jsonl'] }]);
  });

  it('never waits longer than maxWaitMs while notifications keep coming', async () => {
    for (let t = 0; t < 10; t++) {
      queue.notify(`/w/${t}.jsonl`);
      await clock.advance(50);
    }
    assert.equal(ingest.calls.length, 1);
    assert.ok(clock.nowMs >= 400 && clock.nowMs <= 500);
    assert.ok(ingest.calls[0].paths.length >= 8, 'the first run took everything that had arrived by 400 ms');
  });

  it('runs one ingest at a time and processes paths that changed meanwhile afterwards', async () => {
    queue.notify('/w/a.jsonl');
    await clock.advance(100);
    assert.equal(ingest.calls.length, 1);
    queue.notify('/w/b.jsonl');
    queue.notify('/w/c.jsonl');
    await clock.advance(1000);
    assert.equal(ingest.calls.length, 1, 'no overlap while the first run is busy');
    ingest.finish();
    await clock.advance(0);
    await clock.advance(100);
    assert.deepEqual(ingest.calls[1], { all: false, paths: ['/w/b.jsonl', '/w/c.jsonl'] });
    ingest.finish();
    await flush();
    assert.equal(queue.busy, false);
  });

  it('requestAll starts without debounce, waits for a run in progress, and resolves with its result', async () => {
    const first = queue.requestAll();
    assert.equal(ingest.calls.length, 1);
    assert.deepEqual(ingest.calls[0], { all: true, paths: [] });
    const second = queue.requestAll();
    queue.notify('/w/a.jsonl');
    ingest.finish(11);
    assert.equal(await first, 11);
    await flush();
    assert.equal(ingest.calls.length, 2);
    assert.deepEqual(ingest.calls[1], { all: true, paths: [] }, 'a full rescan covers the changed path too');
    ingest.finish(22);
    assert.equal(await second, 22);
    await clock.advance(1000);
    assert.equal(ingest.calls.length, 2);
  });

  it('reports failures of unawaited runs to onError and keeps going', async () => {
    queue.notify('/w/a.jsonl');
    await clock.advance(100);
    ingest.fail(new Error('disk on fire'));
    await flush();
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /disk on fire/);
    queue.notify('/w/b.jsonl');
    await clock.advance(100);
    assert.equal(ingest.calls.length, 2);
  });

  it('rejects requestAll callers when their run fails, without calling onError', async () => {
    const done = queue.requestAll();
    ingest.fail(new Error('bad'));
    await assert.rejects(done, /bad/);
    assert.equal(errors.length, 0);
  });

  it('whenIdle resolves after the queue drains', async () => {
    await queue.whenIdle();
    queue.notify('/w/a.jsonl');
    let idle = false;
    void queue.whenIdle().then(() => { idle = true; });
    await clock.advance(100);
    assert.equal(idle, false);
    ingest.finish();
    await flush();
    assert.equal(idle, true);
  });

  it('dispose drops pending work, cancels timers and rejects waiting callers', async () => {
    queue.notify('/w/a.jsonl');
    queue.dispose();
    assert.equal(clock.timerCount, 0);
    await clock.advance(1000);
    assert.equal(ingest.calls.length, 0);
    await assert.rejects(queue.requestAll(), /disposed/);
    queue.notify('/w/b.jsonl');
    assert.equal(clock.timerCount, 0);
  });
});
