// A short flood through the compiled chaos script: one client at 20× its rate limit beside normal clients; the
// normal clients see no failure, the abuser is answered 429 and passes no more than its quota.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { FloodReport } from '../chaos-flood.js';

const script = fileURLToPath(new URL('../../dist/bench/chaos.js', import.meta.url));
const SECONDS = 5;

t.test(`${SECONDS} s of flood: normal clients unharmed, the abuser limited`, async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'chaos-flood-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const run = spawnSync(process.execPath, [script, '--scenario', 'flood', '--duration', String(SECONDS), '--out', out, '--quiet'], { encoding: 'utf8', timeout: 60_000 });
  t.equal(run.status, 0, `exit 0: no normal request failed and the abuser was held to its limit\n${run.stdout}\n${run.stderr}`);
  const json = readdirSync(out).find((file) => file.endsWith('.json'));
  if (json === undefined) return t.fail('no report written');
  const report = JSON.parse(readFileSync(join(out, json), 'utf8')) as FloodReport;
  t.ok(report.normal.requests > 50, `${report.normal.requests} normal requests were sent`);
  t.equal(report.normal.failures, 0, 'no normal request failed');
  const passed = report.abuser.statuses['200'] ?? 0;
  const refused = report.abuser.statuses['429'] ?? 0;
  t.ok(refused > passed, `the abuser got ${refused} × 429 for ${passed} passed`);
  t.ok(passed <= report.limit.burst + report.limit.rate * (SECONDS + 1), `${passed} passed: at most the burst plus the rate per second`);
  t.ok(report.rateLimited >= refused, `gateway_rate_limited_total ${report.rateLimited} counts every 429`);
  t.match(run.stdout, /normal clients \(5 at 5\/s each\): \d+ requests, 0 failed/);
});
