import * as assert from 'node:assert/strict';
import { canonicalManifestJson, isSafeRelativePath, parseVersionManifest, uniqueBlobs } from '../../../src/core/remote/manifest';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const good = { name: 'wine', version: 2, files: [{ path: 'model.pkl', sha256: A, size: 3 }, { path: 'sub/copy.pkl', sha256: A, size: 3 }, { path: 'MLmodel.json', sha256: B, size: 1 }], stage: 'None', aliases: [] };

describe('remote: version manifests', () => {
  it('parses a valid manifest and lists each blob once', () => {
    const m = parseVersionManifest(JSON.stringify(good), 'm.json');
    assert.equal(m.name, 'wine');
    assert.deepEqual(uniqueBlobs(m).map((f) => f.sha256), [A, B]);
  });

  it('says where and what is wrong', () => {
    assert.throws(() => parseVersionManifest('{', 'm.json'), /^Error: m\.json: not valid JSON/);
    assert.throws(() => parseVersionManifest('[]', 'm.json'), /m\.json: invalid version manifest: expected a JSON object/);
    assert.throws(() => parseVersionManifest(JSON.stringify({ ...good, version: 0 }), 'm.json'), /"version" must be a positive integer/);
    assert.throws(() => parseVersionManifest(JSON.stringify({ ...good, files: [{ path: '../x', sha256: A, size: 1 }] }), 'm.json'), /files\[0\]\.path must be a relative path/);
    assert.throws(() => parseVersionManifest(JSON.stringify({ ...good, files: [{ path: 'x', sha256: 'zz', size: 1 }] }), 'm.json'), /files\[0\]: invalid sha256 'zz'/);
    assert.throws(() => parseVersionManifest(JSON.stringify({ ...good, files: [{ path: 'x', sha256: A, size: -1 }] }), 'm.json'), /files\[0\]\.size/);
    assert.throws(() => parseVersionManifest(JSON.stringify({ ...good, files: [good.files[0], good.files[0]] }), 'm.json'), /appears twice/);
  });

  it('compares manifests by content, not key order', () => {
    const reordered = { aliases: [], stage: 'None', files: good.files, version: 2, name: 'wine' };
    assert.equal(canonicalManifestJson(good), canonicalManifestJson(reordered));
    assert.notEqual(canonicalManifestJson(good), canonicalManifestJson({ ...good, stage: 'Production' }));
  });

  it('only accepts relative paths that stay inside the target folder', () => {
    for (const ok of ['model.pkl', 'a/b/c.txt', '.hidden']) assert.ok(isSafeRelativePath(ok), ok);
    for (const bad of ['', '/etc/passwd', '../x', 'a/../../x', 'a//b', 'C:/x', 'a\\b', './x']) assert.ok(!isSafeRelativePath(bad), bad);
  });
});
