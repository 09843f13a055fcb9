import { strict as assert } from 'node:assert';
import { modelFilesDigest } from '../../../src/core/registry/filesDigest';

describe('modelFilesDigest', () => {
  it('equals the Python client\'s files_digest (value computed by modelcloud._registry.files_digest)', () => {
    const files = [{ path: 'model.pkl', sha256: 'ab'.repeat(32) }, { path: 'MLmodel.json', sha256: 'cd'.repeat(32) }];
    assert.equal(modelFilesDigest(files), '1ab42c6d90ca992bdc5de26e3228f919ec7cec3fcfc25bf18a651a06d5e448d4');
    assert.equal(modelFilesDigest([...files].reverse()), modelFilesDigest(files), 'order does not matter');
  });
  it('changes with any path or content', () => {
    const base = modelFilesDigest([{ path: 'model.pkl', sha256: 'ab'.repeat(32) }]);
    assert.notEqual(modelFilesDigest([{ path: 'model2.pkl', sha256: 'ab'.repeat(32) }]), base);
    assert.notEqual(modelFilesDigest([{ path: 'model.pkl', sha256: 'ac'.repeat(32) }]), base);
  });
});
