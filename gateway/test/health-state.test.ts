// The rise/fall rules as a table: which probe sequences flip a backend, and to what.
import t from 'tap';
import { HealthState } from '../src/health/health-state.js';

type Probe = 'ok' | 'fail';
const cases: { name: string; initial?: 'unknown' | 'up'; probes: Probe[]; status: string; flips: string[] }[] = [
  { name: 'unknown → up on the first good probe', probes: ['ok'], status: 'up', flips: ['unknown→up'] },
  { name: 'unknown → down on the first failure', probes: ['fail'], status: 'down', flips: ['unknown→down'] },
  { name: 'one failure does not take an up backend out (fall 2)', probes: ['ok', 'fail'], status: 'up', flips: ['unknown→up'] },
  { name: 'two consecutive failures do', probes: ['ok', 'fail', 'fail'], status: 'down', flips: ['unknown→up', 'up→down'] },
  { name: 'a success in between resets the fall count', probes: ['ok', 'fail', 'ok', 'fail'], status: 'up', flips: ['unknown→up'] },
  { name: 'one good probe does not bring a down backend back (rise 2)', probes: ['fail', 'ok'], status: 'down', flips: ['unknown→down'] },
  { name: 'two consecutive good probes do', probes: ['fail', 'ok', 'ok'], status: 'up', flips: ['unknown→down', 'down→up'] },
  { name: 'a failure in between resets the rise count', probes: ['fail', 'ok', 'fail', 'ok'], status: 'down', flips: ['unknown→down'] },
  { name: 'configured up starts taking traffic before any probe', initial: 'up', probes: [], status: 'up', flips: [] },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const state = new HealthState({ rise: 2, fall: 2 }, c.initial);
    const flips: string[] = [];
    for (const probe of c.probes) {
      const flip = probe === 'ok' ? state.recordSuccess() : state.recordFailure('refused');
      if (flip) flips.push(`${flip.from}→${flip.to}`);
    }
    t.equal(state.status, c.status);
    t.same(flips, c.flips);
  });
}

t.test('a down backend keeps the latest failure reason without flipping again', async (t) => {
  const state = new HealthState({ rise: 2, fall: 2 });
  t.ok(state.recordFailure('refused'));
  t.equal(state.recordFailure('timeout'), undefined);
  t.equal(state.reason, 'timeout');
});
