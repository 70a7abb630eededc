// The shipped Prometheus files are valid for Debian's Prometheus 2.42 and the alerts fire when they should:
// promtool checks the rules and the scrape config, and runs the rule unit tests in prometheus/alerts.test.yml.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const dir = fileURLToPath(new URL('../../prometheus/', import.meta.url));
const promtool = (...args: string[]) => spawnSync('promtool', args, { cwd: dir, encoding: 'utf8' });

t.test('promtool check rules accepts alerts.yml', async (t) => {
  const result = promtool('check', 'rules', 'alerts.yml');
  t.equal(result.status, 0, result.stdout + result.stderr);
  t.match(result.stdout, /SUCCESS: 3 rules found/);
});

t.test('promtool check config accepts prometheus.yml and the rule files it names', async (t) => {
  const result = promtool('check', 'config', 'prometheus.yml');
  t.equal(result.status, 0, result.stdout + result.stderr);
});

t.test('the alerts fire on a down backend, on no available backend and on a high error ratio, and not before', async (t) => {
  const result = promtool('test', 'rules', 'alerts.test.yml');
  t.equal(result.status, 0, result.stdout + result.stderr);
});
