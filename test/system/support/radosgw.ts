// A real S3 for system tests: a single-node Ceph cluster (one monitor, one memstore OSD, pool
// size 1) with radosgw on 127.0.0.1, all state in a temp folder. Start it once per test process:
//
//   const s3 = await startRadosgw();     // ~13 s; installs the Debian packages first if missing
//   ... S3Client({ endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials }) ...
//   await s3.stop();                     // in an after hook; kills every daemon's process group
//
// Why these settings (see /work/shared/notes/infra.md): auth is off inside the cluster (it is
// throwaway and bound to 127.0.0.1; S3 signatures are still checked by radosgw against the
// user's keys); ms_mon_client_mode = crc, or radosgw hangs 300 s on its monitor session.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const APT_PACKAGES = ['radosgw', 'ceph-mon', 'ceph-osd', 'ceph-common'];
export const RADOSGW_ACCESS_KEY = 'MODELCLOUDTESTKEY000';
export const RADOSGW_SECRET_KEY = 'modelcloud-test-secret-key-0000000000000';
export const RADOSGW_REGION = 'us-east-1';

export interface Radosgw {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** process.env plus the AWS_* variables, for code that uses the SDK's default credential chain. */
  processEnv: NodeJS.ProcessEnv;
  dir: string;
  startMs: number;
  stop(): Promise<void>;
}

function ensureAptPackages(): void {
  const missing = APT_PACKAGES.filter((p) => spawnSync('dpkg', ['-s', p], { stdio: 'ignore' }).status !== 0);
  if (!missing.length) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
  const install = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  if (update.status !== 0 || install.status !== 0) {
    throw new Error(`could not install ${missing.join(' ')} with apt-get (run as root, or install them by hand: apt-get install ${missing.join(' ')})`);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[], what: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${what} failed (${cmd} ${args.join(' ')}): exit ${r.status}\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RadosgwOptions {
  /** Size of the in-memory OSD (memstore); objects live in RAM. Default 2 GiB. */
  memstoreBytes?: number;
}

export async function startRadosgw(log: (line: string) => void = () => undefined, options: RadosgwOptions = {}): Promise<Radosgw> {
  const started = performance.now();
  ensureAptPackages();
  // Safety net: with the OSD registering itself in crush, ~1 start in 3 never came up ('wrong
  // fsid'); that path is now off (7/7 clean starts), but if a fresh cluster still does not come
  // together, a fresh cluster in a fresh folder does, so retry the whole bring-up.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(log, options, started);
    } catch (e) {
      if (attempt >= 3) throw e;
      log(`radosgw: start attempt ${attempt} failed (${(e as Error).message.split('\n')[0]}); starting a fresh cluster`);
    }
  }
}

class OsdNotUpError extends Error {}

async function startOnce(log: (line: string) => void, options: RadosgwOptions, started: number): Promise<Radosgw> {
  const dir = mkdtempSync(join(tmpdir(), 'mc-radosgw-'));
  const daemons: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const d of daemons.reverse()) {
      if (d.exitCode !== null || d.pid === undefined) continue;
      const exited = new Promise((r) => d.once('exit', r));
      try { process.kill(-d.pid, 'SIGKILL'); } catch { /* already gone */ }
      await Promise.race([exited, sleep(3000)]);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [monPort, rgwPort] = [await freePort(), await freePort()];
    const fsid = randomUUID();
    const conf = join(dir, 'ceph.conf');
    for (const sub of ['mon', 'osd', 'run', 'log', 'rgw']) mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(conf, [
      '[global]',
      `fsid = ${fsid}`,
      `mon_host = v1:127.0.0.1:${monPort}`,
      'auth_cluster_required = none', 'auth_service_required = none', 'auth_client_required = none',
      'auth_allow_insecure_global_id_reclaim = true',
      'ms_mon_client_mode = crc',
      'ms_bind_msgr2 = false',
      'public_addr = 127.0.0.1',
      'osd_objectstore = memstore',
      `memstore_device_bytes = ${options.memstoreBytes ?? 2 * 1024 ** 3}`,
      'osd_pool_default_size = 1', 'osd_pool_default_min_size = 1', 'mon_allow_pool_size_one = true',
      'osd_pool_default_pg_num = 8', 'osd_pool_default_pgp_num = 8', 'osd_pool_default_pg_autoscale_mode = off',
      'mon_warn_on_pool_no_redundancy = false',
      'osd_crush_chooseleaf_type = 0',
      // The OSD's own crush/device-class registration at start is what gets refused with 'wrong fsid'
      // now and then; placing it in the crush map ourselves (below) avoids that path.
      'osd_crush_update_on_start = false', 'osd_class_update_on_start = false',
      `run_dir = ${dir}/run`, `log_file = ${dir}/log/$name.log`, `admin_socket = ${dir}/run/$name.asok`,
      `mon_data = ${dir}/mon/$name`, `osd_data = ${dir}/osd/$name`, `rgw_data = ${dir}/rgw/$name`,
      'osd_max_object_name_len = 256', 'osd_max_object_namespace_len = 64',
      `keyring = ${dir}/keyring`,
      '',
    ].join('\n'));
    writeFileSync(join(dir, 'keyring'), '');
    const c = ['-c', conf];
    run('monmaptool', ['--create', '--fsid', fsid, '--addv', 'a', `[v1:127.0.0.1:${monPort}]`, join(dir, 'monmap')], 'monmaptool');
    run('ceph-mon', [...c, '--mkfs', '-i', 'a', '--monmap', join(dir, 'monmap')], 'ceph-mon --mkfs');
    daemons.push(daemon('ceph-mon', [...c, '-f', '-i', 'a']));
    const osdUuid = randomUUID();
    const osdId = (await retrying(() => run('ceph', [...c, 'osd', 'create', osdUuid], 'ceph osd create'), 20_000)).trim();
    run('ceph', [...c, 'osd', 'crush', 'add', `osd.${osdId}`, '1.0', 'root=default', 'host=localhost'], 'ceph osd crush add');
    mkdirSync(join(dir, 'osd', `osd.${osdId}`), { recursive: true });
    run('ceph-osd', [...c, '-i', osdId, '--mkfs', '--osd-uuid', osdUuid], 'ceph-osd --mkfs');
    daemons.push(daemon('ceph-osd', [...c, '-f', '-i', osdId]));
    await waitForOsdUp(c, 15_000, () => logsOf(dir));
    daemons.push(daemon('radosgw', [...c, '-f', '-n', 'client.rgw', '--rgw_frontends', `beast endpoint=127.0.0.1:${rgwPort}`]));
    const endpoint = `http://127.0.0.1:${rgwPort}`;
    await waitForHttp(endpoint, 90_000, () => logsOf(dir));
    run('radosgw-admin', [...c, 'user', 'create', '--uid', 'modelcloud-test', '--display-name', 'modelcloud test',
      '--access-key', RADOSGW_ACCESS_KEY, '--secret-key', RADOSGW_SECRET_KEY], 'radosgw-admin user create');
    const startMs = Math.round(performance.now() - started);
    log(`radosgw ready at ${endpoint} in ${(startMs / 1000).toFixed(1)} s (data in ${dir})`);
    return {
      endpoint, region: RADOSGW_REGION, dir, startMs, stop,
      credentials: { accessKeyId: RADOSGW_ACCESS_KEY, secretAccessKey: RADOSGW_SECRET_KEY },
      processEnv: { ...process.env, AWS_ACCESS_KEY_ID: RADOSGW_ACCESS_KEY, AWS_SECRET_ACCESS_KEY: RADOSGW_SECRET_KEY, AWS_REGION: RADOSGW_REGION },
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The monitor can refuse commands for a moment after it starts; retry until it answers. */
async function retrying<T>(fn: () => T, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return fn();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await sleep(500);
    }
  }
}

async function waitForOsdUp(c: string[], timeoutMs: number, logs: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = spawnSync('ceph', [...c, 'osd', 'stat', '-f', 'json'], { encoding: 'utf8', timeout: 10_000 });
    try {
      if ((JSON.parse(r.stdout) as { num_up_osds?: number }).num_up_osds === 1) return;
    } catch { /* mon not answering yet */ }
    await sleep(500);
  }
  throw new OsdNotUpError(`the Ceph OSD did not come up within ${timeoutMs} ms\n${logs()}`);
}

/** A foreground daemon in its own process group, so stop() takes down anything it forked. */
function daemon(cmd: string, args: string[]): ChildProcess {
  const child = spawn(cmd, args, { detached: true, stdio: 'ignore' });
  child.unref();
  return child;
}

function logsOf(dir: string): string {
  return ['mon.a', 'osd.0', 'client.rgw'].map((n) => {
    try { return `--- ${n}\n${readFileSync(join(dir, 'log', `${n}.log`), 'utf8').split('\n').slice(-15).join('\n')}`; } catch { return ''; }
  }).join('\n');
}

async function waitForHttp(url: string, timeoutMs: number, logs: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await r.arrayBuffer();
      return;
    } catch (e) {
      last = (e as Error).message;
    }
    await sleep(250);
  }
  throw new Error(`radosgw did not answer at ${url} within ${timeoutMs} ms (last: ${last})\n${logs()}`);
}
