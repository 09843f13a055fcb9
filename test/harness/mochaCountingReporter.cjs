// Mocha's spec reporter, plus a JSON file with the final counts so the harness never has to
// parse human-readable output. The file path comes from MODELCLOUD_MOCHA_COUNTS.
const { writeFileSync } = require('node:fs');
const Mocha = require('mocha');

class CountingSpecReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const out = process.env.MODELCLOUD_MOCHA_COUNTS;
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      if (!out) return;
      const { passes, failures, pending, tests } = this.stats;
      writeFileSync(out, JSON.stringify({ passes, failures, pending, tests }));
    });
  }
}

module.exports = CountingSpecReporter;
