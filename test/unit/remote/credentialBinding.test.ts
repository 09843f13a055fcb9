import { strict as assert } from 'node:assert';
import { credentialBinding } from '../../../src/core/remote/credentialBinding';

describe('credentialBinding', () => {
  it('is the endpoint origin and the bucket, AWS without an endpoint', () => {
    assert.equal(credentialBinding({ url: 's3://team-models/prod' }), 'aws team-models');
    assert.equal(credentialBinding({ url: 's3://bkt/p', endpoint: 'http://127.0.0.1:7480/' }), 'http://127.0.0.1:7480 bkt');
  });
  it('ignores the prefix and the endpoint path, but not host, port, scheme or bucket', () => {
    const base = credentialBinding({ url: 's3://bkt/one', endpoint: 'https://s3.example.com' });
    assert.equal(credentialBinding({ url: 's3://bkt/two', endpoint: 'https://s3.example.com/some/path' }), base);
    for (const moved of [
      { url: 's3://bkt/one', endpoint: 'https://evil.example.com' },
      { url: 's3://bkt/one', endpoint: 'https://s3.example.com:8443' },
      { url: 's3://bkt/one', endpoint: 'http://s3.example.com' },
      { url: 's3://other/one', endpoint: 'https://s3.example.com' },
      { url: 's3://bkt/one' },
    ]) assert.notEqual(credentialBinding(moved), base, JSON.stringify(moved));
  });
});
