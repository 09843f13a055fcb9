import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getRemote, loadRemotes, saveRemote } from '../../../src/platform/remote/remotesConfig';

describe('remote: remotes.json', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'mc-remotes-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('adds, replaces and lists remotes without credentials', () => {
    assert.deepEqual(loadRemotes(dir), []);
    saveRemote(dir, { name: 'central', url: 's3://models/a', endpoint: 'http://127.0.0.1:7480', region: 'eu-1' });
    saveRemote(dir, { name: 'mirror', url: 's3://models/b', readOnly: true });
    saveRemote(dir, { name: 'central', url: 's3://models/c' });
    assert.deepEqual(loadRemotes(dir).map((r) => `${r.name}=${r.url}`), ['mirror=s3://models/b', 'central=s3://models/c']);
    assert.equal(getRemote(dir, 'mirror').readOnly, true);
    assert.throws(() => getRemote(dir, 'nope'), /no remote named 'nope' \(known: mirror, central\); add one with 'modelcloud remote add nope/);
  });

  it('rejects bad entries with where and what, and refuses credentials in the file', () => {
    assert.throws(() => saveRemote(dir, { name: 'x', url: 'http://nope' }), /not an S3 URL/);
    assert.throws(() => saveRemote(dir, { name: 'x', url: 's3://models', endpoint: 'localhost:9000' }), /endpoint must be an http\(s\):\/\/ URL/);
    writeFileSync(join(dir, 'remotes.json'), JSON.stringify({ remotes: [{ name: 'x', url: 's3://models', secretAccessKey: 's' }] }));
    assert.throws(() => loadRemotes(dir), /remotes\[0\]: credentials do not belong in remotes.json/);
    writeFileSync(join(dir, 'remotes.json'), '{oops');
    assert.throws(() => loadRemotes(dir), /remotes.json: not valid JSON.*fix or delete the file/);
    assert.equal(readFileSync(join(dir, 'remotes.json'), 'utf8'), '{oops', 'a bad file is left as it was');
  });
});
