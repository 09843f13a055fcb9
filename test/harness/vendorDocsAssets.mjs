// Vendors the API documentation assets served by the modelcloud runtime's /redoc and /docs pages
// into src/python/modelcloud/serving/static/ (committed; services must work offline, no CDN).
//
//   node test/harness/vendorDocsAssets.mjs        re-fetch the pinned versions below
//
// Each package is fetched with `npm pack <name>@<exact version>` into a temp folder and only the
// listed files (plus the licence) are extracted. Bump a version here, run this, commit the result.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const target = join(repo, 'src', 'python', 'modelcloud', 'serving', 'static');

/** name, exact version, files inside the package (relative to package/) → name in static/. */
const PACKAGES = [
  {
    name: 'redoc', version: '2.5.4',
    files: { 'bundles/redoc.standalone.js': 'redoc.standalone.js', LICENSE: 'redoc.LICENSE' },
  },
  {
    name: 'swagger-ui-dist', version: '5.35.0',
    files: { 'swagger-ui-bundle.js': 'swagger-ui-bundle.js', 'swagger-ui.css': 'swagger-ui.css', LICENSE: 'swagger-ui.LICENSE' },
  },
];

const work = mkdtempSync(join(tmpdir(), 'modelcloud-vendor-'));
try {
  mkdirSync(target, { recursive: true });
  const versions = {};
  for (const pkg of PACKAGES) {
    const spec = `${pkg.name}@${pkg.version}`;
    const dir = join(work, pkg.name);
    mkdirSync(dir);
    const tarball = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', dir], { encoding: 'utf8' }).trim().split('\n').pop();
    const wanted = Object.keys(pkg.files).map((f) => `package/${f}`);
    execFileSync('tar', ['-xzf', join(dir, tarball), '-C', dir, ...wanted]);
    for (const [from, to] of Object.entries(pkg.files)) {
      const src = join(dir, 'package', from);
      if (!existsSync(src)) throw new Error(`${spec} has no ${from}; update PACKAGES in ${fileURLToPath(import.meta.url)}`);
      copyFileSync(src, join(target, to));
    }
    versions[pkg.name] = pkg.version;
    process.stdout.write(`vendored ${spec}: ${Object.values(pkg.files).join(', ')}\n`);
  }
  writeFileSync(join(target, 'VERSIONS.json'), JSON.stringify(versions, null, 2) + '\n');
} finally {
  rmSync(work, { recursive: true, force: true });
}
