import * as assert from 'node:assert/strict';
import { parseModelUri, formatModelUri, ModelUriError } from '../../../src/core/registry/uri';
import { parseStage, planTransition } from '../../../src/core/registry/stages';

describe('model URIs', () => {
  it('parses versions, aliases, stages and latest, and formats them back', () => {
    assert.deepEqual(parseModelUri('models:/wine/3'), { name: 'wine', kind: 'version', version: 3 });
    assert.deepEqual(parseModelUri('models:/wine@champion'), { name: 'wine', kind: 'alias', alias: 'champion' });
    assert.deepEqual(parseModelUri('models:/wine/production'), { name: 'wine', kind: 'stage', stage: 'Production' });
    assert.deepEqual(parseModelUri('models:/wine/None'), { name: 'wine', kind: 'stage', stage: 'None' });
    assert.deepEqual(parseModelUri('models:/wine/latest'), { name: 'wine', kind: 'latest' });
    for (const uri of ['models:/wine/3', 'models:/wine@champion', 'models:/wine/Staging', 'models:/wine/latest']) {
      assert.equal(formatModelUri(parseModelUri(uri)), uri);
    }
  });
  it('rejects malformed URIs with a message that says what and how', () => {
    const cases: Array<[string, RegExp]> = [
      ['wine/3', /must start with 'models:\/'/],
      ['models:/', /name is missing/],
      ['models:/wine', /version, stage or @alias must follow/],
      ['models:/wine/0', /must be 1 or more/],
      ['models:/wine/Prod', /neither a version number/],
      ['models:/wine/3/x', /too many/],
      ['models:/wine@', /alias is empty/],
      ['models:/@x', /model name is empty/],
      ['models:/wi ne/1', /whitespace/],
    ];
    for (const [uri, message] of cases) {
      assert.throws(() => parseModelUri(uri), (e: unknown) => e instanceof ModelUriError && message.test(e.message) && /Expected models:/.test(e.message), uri);
    }
  });
});

describe('stages', () => {
  it('parses stage names case-insensitively and rejects unknown ones', () => {
    assert.equal(parseStage('staging'), 'Staging');
    assert.throws(() => parseStage('prod'), /unknown stage 'prod': use one of None, Staging, Production, Archived/);
  });
  const versions = [{ version: 1, stage: 'Production' }, { version: 2, stage: 'Staging' }, { version: 3, stage: 'None' }];
  it('moves one version, archiving the current Production only when asked', () => {
    assert.deepEqual(planTransition(versions, 2, 'Production'), [{ version: 2, from: 'Staging', to: 'Production' }]);
    assert.deepEqual(planTransition(versions, 2, 'Production', true), [
      { version: 2, from: 'Staging', to: 'Production' }, { version: 1, from: 'Production', to: 'Archived' },
    ]);
    assert.deepEqual(planTransition(versions, 3, 'Archived', true), [{ version: 3, from: 'None', to: 'Archived' }]);
  });
  it('refuses unknown versions and no-op transitions', () => {
    assert.throws(() => planTransition(versions, 9, 'Staging'), /version 9 does not exist \(versions: 1, 2, 3\)/);
    assert.throws(() => planTransition(versions, 1, 'Production'), /already in stage Production/);
  });
});
