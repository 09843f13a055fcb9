// Entry of the A/B router process (bundled to dist/router.js). Started detached by the router
// manager (src/platform/abtest/routerManager.ts) like the deploy supervisor: process.execPath +
// ELECTRON_RUN_AS_NODE=1, so it runs the same from the extension host, code-server and the CLI.
//   node router.js <router folder>        (<storeDir>/routers/<experiment>, holding router.json)
// The same bundle is the store-writer worker thread (workerData.role), so one file ships.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { readFileSync, unlinkSync } from 'node:fs';
import { takePidLock } from '../platform/process/pidLock';
import { ensureToken, writeFileAtomic } from '../platform/deploy/servicePaths';
import { routerPathsIn, type RouterInfo, type RouterLaunch } from '../platform/abtest/routerPaths';
import { routerConfigOrThrow } from '../core/abtest/routerConfig';
import { AbRouter } from './router';
import { StoreWriter, runStoreWriterWorker } from './storeWriter';

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: router.js <router folder holding router.json>');
  const paths = routerPathsIn(dir);
  let launch: RouterLaunch;
  try {
    launch = JSON.parse(readFileSync(paths.launchFile, 'utf8')) as RouterLaunch;
  } catch (error) {
    throw new Error(`cannot read ${paths.launchFile}: ${(error as Error).message}; start routers with 'modelcloud ab start --config FILE'`);
  }
  const { config, plan } = routerConfigOrThrow(launch.config, paths.launchFile);
  if (!takePidLock(paths.lockFile)) {
    process.stderr.write(`another router already runs for ${dir}\n`);
    process.exitCode = 3;
    return;
  }
  // Kubernetes passes the token from a Secret; locally it lives in the folder (0600).
  const adminToken = process.env.MODELCLOUD_ROUTER_ADMIN_TOKEN?.trim() || ensureToken(paths.adminTokenFile);
  const store = launch.storeDb ? await StoreWriter.start(config.experiment, launch.storeDb, __filename) : undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await router.close();
      await store?.close();
      for (const f of [paths.infoFile, paths.lockFile]) { try { unlinkSync(f); } catch { /* gone */ } }
      process.exit(0);
    })();
    return stopping;
  };
  const router = new AbRouter({ config, plan, adminToken, store, onShutdown: () => { void stop(); } });
  const port = await router.listen();
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const info: RouterInfo = { pid: process.pid, port, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, startedAt: Date.now() };
  writeFileAtomic(paths.infoFile, `${JSON.stringify(info)}\n`);
  process.stdout.write(`A/B router for ${config.experiment} listening on ${info.url} (pid ${process.pid}, store ${launch.storeDb ?? 'off'})\n`);
  process.on('SIGTERM', () => { void stop(); });
  process.on('SIGINT', () => { void stop(); });
  process.on('SIGHUP', () => undefined);
  process.on('uncaughtException', (error) => { process.stderr.write(`router internal error: ${error.stack ?? error.message}\n`); });
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'ab-store-writer') {
  runStoreWriterWorker(parentPort!, (workerData as { dbPath: string }).dbPath);
} else {
  main().catch((error: Error) => {
    process.stderr.write(`modelcloud A/B router failed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  });
}
