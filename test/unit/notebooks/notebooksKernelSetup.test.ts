import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BRIDGE_MARKER, buildKernelSetupCode, describeKernelError, parseBridgeSetupOutput, pythonStringLiteral,
} from '../../../src/core/notebooks/kernelSetup';

const python = process.env.MODELCLOUD_PYTHON || 'python3';
const hasPython = spawnSync(python, ['-c', 'pass']).status === 0;

describe('notebooks: kernel setup code', () => {
  it('quotes paths as Python literals that keep quotes, backslashes, newlines and non-ASCII', () => {
    assert.equal(pythonStringLiteral('C:\\Users\\ada\\"x"'), '"C:\\\\Users\\\\ada\\\\\\"x\\""');
    assert.equal(pythonStringLiteral('a\nb'), '"a\\nb"');
    assert.equal(pythonStringLiteral('données ✓'), '"données ✓"');
  });

  it('puts the bundled package first on sys.path, sets MODELCLOUD_DIR and loads the extension', () => {
    const code = buildKernelSetupCode({ pythonDir: '/ext/src/python', storeDir: '/ws/.modelcloud' });
    assert.match(code, /sys\.path\.insert\(0, python_dir\)/);
    assert.match(code, /python_dir = "\/ext\/src\/python"/);
    assert.match(code, /os\.environ\["MODELCLOUD_DIR"\] = "\/ws\/\.modelcloud"/);
    assert.match(code, /load_extension\("modelcloud"\)/);
    assert.match(code, /del __modelcloud_bridge_setup/);
  });

  (hasPython ? it : it.skip)('runs in a real Python with awkward paths and reports bridge_info (stand-in get_ipython)', () => {
    const base = mkdtempSync(join(tmpdir(), 'mc-setup-'));
    try {
      const pythonDir = join(base, 'ext "quoted" \\ dir ✓');
      const storeDir = join(base, "it's a\nstore");
      mkdirSync(join(pythonDir, 'modelcloud'), { recursive: true });
      writeFileSync(join(pythonDir, 'modelcloud', '__init__.py'), '');
      writeFileSync(join(pythonDir, 'modelcloud', 'notebook.py'),
        'import os\ndef bridge_info():\n    return {"version": "9.9", "storeDir": os.environ["MODELCLOUD_DIR"], "magics": ["mc_run"]}\n');
      // A stand-in for IPython's get_ipython(): its extension manager just imports the module.
      const stub = 'import importlib\nclass _M:\n    def load_extension(self, name):\n        importlib.import_module(name)\nclass _I:\n    extension_manager = _M()\ndef get_ipython():\n    return _I()\n';
      const code = buildKernelSetupCode({ pythonDir, storeDir });
      const result = spawnSync(python, ['-c', `${stub}${code}print(sorted(k for k in dir() if 'modelcloud' in k))`], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      const parsed = parseBridgeSetupOutput(result.stdout);
      assert.ok(parsed.ok, JSON.stringify(parsed));
      assert.equal(parsed.info.storeDir, storeDir);
      assert.deepEqual(parsed.info.magics, ['mc_run']);
      assert.match(result.stdout, /\[\]\s*$/, 'the setup function is removed from the namespace');
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  (hasPython ? it : it.skip)('reports a failing load as one error line, not a traceback', () => {
    const stub = 'class _M:\n    def load_extension(self, name):\n        raise ModuleNotFoundError("No module named \'modelcloud\'")\nclass _I:\n    extension_manager = _M()\ndef get_ipython():\n    return _I()\n';
    const result = spawnSync(python, ['-c', stub + buildKernelSetupCode({ pythonDir: '/nowhere', storeDir: '/tmp/x' })], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(parseBridgeSetupOutput(result.stdout), { ok: false, error: "ModuleNotFoundError: No module named 'modelcloud'" });
  });
});

describe('notebooks: reading the setup result', () => {
  it('takes the last marked line among other output', () => {
    const out = `hello\n${BRIDGE_MARKER}{"version":"0.1","storeDir":"/a","magics":[]}\n${BRIDGE_MARKER}{"version":"0.2","storeDir":"/b","magics":["mc_run","mc_runs"],"extra":1}\n`;
    const parsed = parseBridgeSetupOutput(out);
    assert.ok(parsed.ok);
    assert.equal(parsed.info.version, '0.2');
    assert.deepEqual(parsed.info.magics, ['mc_run', 'mc_runs']);
    assert.equal(parsed.info.extra, 1);
  });

  it('says what is wrong when the result is missing, not JSON, an error or the wrong shape', () => {
    assert.deepEqual(parseBridgeSetupOutput(''), { ok: false, error: 'the setup code printed nothing' });
    assert.match(nok(parseBridgeSetupOutput('SyntaxError somewhere')), /printed no result \(output: SyntaxError somewhere\)/);
    assert.match(nok(parseBridgeSetupOutput(`${BRIDGE_MARKER}{oops`)), /not JSON/);
    assert.equal(nok(parseBridgeSetupOutput(`${BRIDGE_MARKER}{"error":"ImportError: x"}`)), 'ImportError: x');
    assert.match(nok(parseBridgeSetupOutput(`${BRIDGE_MARKER}{"version":1}`)), /unexpected shape/);
    assert.match(nok(parseBridgeSetupOutput(`${BRIDGE_MARKER}[1]`)), /not an object/);
  });

  it('describes kernel error outputs in one line', () => {
    assert.equal(describeKernelError('{"name":"NameError","message":"name \'x\' is not defined","stack":"..."}'), "NameError: name 'x' is not defined");
    assert.equal(describeKernelError('not json'), 'not json');
  });
});

function nok(result: ReturnType<typeof parseBridgeSetupOutput>): string {
  assert.equal(result.ok, false);
  return result.ok ? '' : result.error;
}
