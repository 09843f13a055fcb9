// Entry of the integration suite, loaded by the extension host (code-server here,
// @vscode/test-electron on desktop): the same `run(): Promise<void>` contract both use.
// Test files are bundled into this module and required only after mocha has put its globals
// (describe/it) in place; the last line printed is the count the harness reads.
import Mocha = require('mocha');

export function run(): Promise<void> {
  // MODELCLOUD_TEST_GREP: `npm test -- --grep X` runs only the matching tests.
  const mocha = new Mocha({ ui: 'bdd', timeout: 20_000, color: false, reporter: 'spec', grep: process.env.MODELCLOUD_TEST_GREP || undefined });
  mocha.suite.emit('pre-require', globalThis, 'integration', mocha);
  /* eslint-disable @typescript-eslint/no-require-imports -- lazy on purpose: after pre-require */
  require('./activation.test');
  require('./experimentsTree.test');
  require('./runCommands.test');
  require('./liveIngest.test');
  require('./runsDashboard.test');
  require('./compare.test');
  require('./runDetail.test');
  require('./deployments.test');
  require('./ingestStartup.test');
  require('./models.test');
  require('./versionDetail.test');
  require('./notebooks.test');
  require('./sync.test');
  require('./abDashboard.test');
  require('./abDoneMeans.test');
  require('./monitoring.test');
  /* eslint-enable @typescript-eslint/no-require-imports */
  return new Promise((resolve, reject) => {
    // Count what ran (suite.total() would also count tests --grep filtered out).
    let passed = 0;
    const runner = mocha.run((failures) => {
      console.log(`integration: ${passed} passed, ${failures} failed`);
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
    runner.on('pass', () => { passed++; });
  });
}
