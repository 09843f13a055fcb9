import * as assert from 'node:assert/strict';
import { formatS3Url, parseS3Url } from '../../../src/core/remote/s3Url';
import { aliasesKey, blobKey, localBlobRelPath, versionManifestKey } from '../../../src/core/remote/keyLayout';

const SHA = 'ab'.repeat(32);

describe('remote: s3:// URLs', () => {
  it('splits bucket and prefix, normalising slashes', () => {
    assert.deepEqual(parseS3Url('s3://models/team-a/registry'), { bucket: 'models', prefix: 'team-a/registry' });
    assert.deepEqual(parseS3Url('s3://models/team-a/'), { bucket: 'models', prefix: 'team-a' });
    assert.deepEqual(parseS3Url('s3://models'), { bucket: 'models', prefix: '' });
    assert.deepEqual(parseS3Url('s3://models/'), { bucket: 'models', prefix: '' });
    assert.equal(formatS3Url(parseS3Url('s3://my.bucket-1/a/b/')), 's3://my.bucket-1/a/b');
  });

  it('rejects what S3 would not take, saying what is expected', () => {
    assert.throws(() => parseS3Url('https://models/x'), /not an S3 URL: 'https:\/\/models\/x'; expected s3:\/\/bucket/);
    assert.throws(() => parseS3Url('s3://My_Bucket/x'), /invalid bucket name 'My_Bucket'.*lowercase/);
    assert.throws(() => parseS3Url('s3:///x'), /invalid bucket name ''/);
    assert.throws(() => parseS3Url('s3://models/a//b'), /invalid prefix 'a\/\/b'/);
    assert.throws(() => parseS3Url('s3://models/a/../b'), /invalid prefix/);
  });
});

describe('remote: key layout', () => {
  it('puts blobs, version manifests and aliases under the prefix', () => {
    assert.equal(blobKey('team-a', SHA), `team-a/blobs/sha256/${SHA}`);
    assert.equal(blobKey('', SHA), `blobs/sha256/${SHA}`);
    assert.equal(versionManifestKey('p/q', 'wine', 3), 'p/q/models/wine/versions/3.json');
    assert.equal(aliasesKey('p', 'wine'), 'p/models/wine/aliases.json');
    assert.equal(localBlobRelPath(SHA), `artifacts/ab/${'ab'.repeat(31)}`);
  });

  it('refuses keys that would escape their place', () => {
    assert.throws(() => blobKey('p', 'AB'.repeat(32)), /invalid sha256/);
    assert.throws(() => blobKey('p', 'ab'), /64 lowercase hex/);
    assert.throws(() => versionManifestKey('p', 'a/b', 1), /invalid model name 'a\/b'/);
    assert.throws(() => versionManifestKey('p', '..', 1), /invalid model name/);
    assert.throws(() => versionManifestKey('p', 'wine', 0), /positive integer/);
    assert.throws(() => versionManifestKey('p', 'wine', 1.5), /positive integer/);
  });
});
