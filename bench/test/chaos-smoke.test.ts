// A short chaos run through the compiled script: backends killed, frozen, slowed and half-broken under
// load, and not one GET fails; the report files are written and tell the gateway's reaction times.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const script = fileURLToPath(new URL('../../dist/bench/chaos.js', import.meta.url));

t.test('8 s of mixed chaos: zero failed GETs, report written', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'chaos-smoke-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const run = spawnSync(process.execPath, [script, '--duration', '8', '--connections', '20', '--out', out, '--quiet'], { encoding: 'utf8', timeout: 90_000 });
  t.equal(run.status, 0, `exit 0 means no GET failed\n${run.stdout}\n${run.stderr}`);
  const files = readdirSync(out);
  const json = files.find((file) => file.endsWith('.json'));
  t.ok(json && files.some((file) => file.endsWith('.svg')), 'JSON and SVG written');
  const report = JSON.parse(readFileSync(join(out, json!), 'utf8')) as { requests: number; failedGets: number; events: { action: string; outAfterMs?: number }[] };
  t.ok(report.requests > 100, `${report.requests} GETs were sent`);
  t.equal(report.failedGets, 0);
  const kill = report.events.find((event) => event.action === 'kill');
  t.ok(kill?.outAfterMs !== undefined && kill.outAfterMs < 3_000, `the killed backend was taken out after ${kill?.outAfterMs} ms`);
  t.match(run.stdout, /failed GETs: 0/);
});
