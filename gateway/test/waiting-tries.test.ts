// The per-backend list of tries waiting for response headers: what rescue walks when a backend goes away.
import t from 'tap';
import { WaitingTries, type WaitingTry } from '../src/pool/waiting-tries.js';

function waitingTry(rescued: string[], name: string): WaitingTry {
  return { waitingIn: undefined, previousWaiting: undefined, nextWaiting: undefined, rescue: (reason) => rescued.push(`${name}: ${reason}`) };
}

t.test('entries leave from the head, the middle and the tail; each only once', async (t) => {
  const list = new WaitingTries();
  const rescued: string[] = [];
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => waitingTry(rescued, name)) as [WaitingTry, WaitingTry, WaitingTry, WaitingTry];
  for (const entry of [a, b, c, d]) list.add(entry);
  list.add(b);
  t.same(list.toArray(), [d, c, b, a], 'adding an entry twice keeps one');
  list.delete(c);
  list.delete(c);
  list.delete(d);
  t.equal(list.toArray().length, 2, 'a second delete changes nothing');
  t.same(list.toArray(), [b, a]);
  list.delete(a);
  list.add(c);
  t.same(list.toArray(), [c, b]);
  t.equal(d.nextWaiting, undefined, 'a removed entry holds no links into the list');
});

t.test('an entry of one list is not removed through another', async (t) => {
  const one = new WaitingTries();
  const other = new WaitingTries();
  const entry = waitingTry([], 'x');
  one.add(entry);
  other.delete(entry);
  other.add(entry);
  t.same(one.toArray(), [entry]);
  t.same(other.toArray(), [], 'an entry is in one list at a time');
});

t.test('rescue may take each entry out of the list while the list is walked', async (t) => {
  const list = new WaitingTries();
  const rescued: string[] = [];
  for (const name of ['a', 'b', 'c']) {
    const entry = waitingTry(rescued, name);
    const rescue = entry.rescue;
    entry.rescue = (reason) => {
      list.delete(entry);
      rescue(reason);
    };
    list.add(entry);
  }
  for (const entry of list.toArray()) entry.rescue('down');
  t.same(rescued, ['c: down', 'b: down', 'a: down']);
  t.same(list.toArray(), []);
});
