// Reads Prometheus text on stdin, parses it with src/core/monitoring/prometheusText (the unit-test
// transpile in out/, made by `node esbuild.mjs`) and prints the samples and histogram quantiles as
// JSON, so pytest can compare our parser with prometheus_client's on live output.
const { join } = require('node:path');
const parser = require(join(__dirname, '..', '..', 'out', 'src', 'core', 'monitoring', 'prometheusText.js'));

const num = (v) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : v);
let text = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { text += chunk; });
process.stdin.on('end', () => {
  try {
    const parsed = parser.parsePrometheusText(text);
    const samples = parsed.families.flatMap((f) => f.samples.map((s) => ({ family: f.name, type: f.type, name: s.name, labels: s.labels, value: num(s.value) })));
    const histograms = parsed.families.filter((f) => f.type === 'histogram').flatMap((f) => parser.histogramSeries(f).map((s) => ({
      family: f.name, labels: s.labels, count: num(s.count), sum: num(s.sum),
      p50: num(parser.histogramQuantile(0.5, s.buckets)), p95: num(parser.histogramQuantile(0.95, s.buckets)), p99: num(parser.histogramQuantile(0.99, s.buckets)),
    })));
    process.stdout.write(JSON.stringify({ samples, histograms }));
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
});
