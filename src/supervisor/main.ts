// Entry of the per-service supervisor process (bundled to dist/supervisor.js). Started detached by
// the service manager with `process.execPath` + ELECTRON_RUN_AS_NODE=1, so it runs the same from
// the VS Code extension host, code-server and the CLI, and outlives all of them.
//   node supervisor.js <service folder>      (<storeDir>/services/<name>)
import { unlinkSync } from 'node:fs';
import { takePidLock } from '../platform/process/pidLock';
import { pathsIn, writeFileAtomic, ensureToken } from '../platform/deploy/servicePaths';
import type { SupervisorInfo } from '../platform/deploy/supervisorProtocol';
import { Supervisor } from './supervisor';
import { startControlServer } from './controlServer';

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: supervisor.js <service folder>');
  const paths = pathsIn(dir);
  // One supervisor per service: the lock file holds the pid of the one that runs.
  const lockFile = `${dir}/supervisor.lock`;
  if (!takePidLock(lockFile)) {
    process.stderr.write(`another supervisor already runs for ${dir}\n`);
    process.exitCode = 3;
    return;
  }
  const supervisor = new Supervisor(paths, ensureToken(paths.adminTokenFile));
  const port = await supervisor.listen();
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await supervisor.shutdown();
      control.server.close();
      control.server.closeAllConnections();
      for (const f of [paths.supervisorFile, lockFile]) { try { unlinkSync(f); } catch { /* gone */ } }
      process.exit(0);
    })();
    return stopping;
  };
  const control = await startControlServer(supervisor, ensureToken(paths.controlTokenFile), () => { void stop(); });
  const info: SupervisorInfo = { pid: process.pid, port, controlPort: control.port, startedAt: Date.now() };
  writeFileAtomic(paths.supervisorFile, `${JSON.stringify(info)}\n`);
  process.on('SIGTERM', () => { void stop(); });
  process.on('SIGINT', () => { void stop(); });
  // The parent (VS Code, the CLI) may be long gone: never die of a closed stdio.
  process.on('SIGHUP', () => undefined);
  process.on('uncaughtException', (error) => { supervisor.sink.event(`internal error: ${error.stack ?? error.message}`); });
  await supervisor.resume();
}

main().catch((error: Error) => {
  process.stderr.write(`modelcloud supervisor failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
