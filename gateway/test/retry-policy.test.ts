// The retry policy as a table: failure kind × method × body × tries × elapsed → retry or not, and why.
import t from 'tap';
import { shouldRetry, type FailureKind } from '../src/proxy/retry-policy.js';

const limits = { retries: 2, tryDurationMs: 5_000, idempotentMethods: new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']) };

const rows: [FailureKind, string, boolean, number, number, boolean, string][] = [
  // kind, method, replayable, tries, elapsedMs, responseStarted, expected
  ['connect', 'GET', true, 1, 10, false, 'retry'],
  ['connect', 'POST', false, 1, 10, false, 'retry'], // nothing was sent: safe for every method, even a streamed body
  ['connect', 'PATCH', true, 2, 10, false, 'retry'],
  ['connect', 'GET', true, 3, 10, false, 'retries-exhausted'],
  ['connect', 'GET', true, 1, 5_000, false, 'try-duration-exceeded'],
  ['reset', 'GET', true, 1, 10, false, 'retry'], // the keep-alive race: closed before any response byte
  ['reset', 'PUT', true, 1, 10, false, 'retry'],
  ['reset', 'DELETE', true, 2, 10, false, 'retry'],
  ['reset', 'POST', true, 1, 10, false, 'not-idempotent'],
  ['reset', 'PATCH', true, 1, 10, false, 'not-idempotent'],
  ['reset', 'PUT', false, 1, 10, false, 'body-not-replayable'],
  ['reset', 'GET', true, 1, 10, true, 'response-started'],
  ['timeout', 'GET', true, 1, 10, false, 'retry'],
  ['timeout', 'POST', true, 1, 10, false, 'not-idempotent'],
  ['timeout', 'GET', true, 1, 6_000, false, 'try-duration-exceeded'],
  ['status', 'GET', true, 1, 10, false, 'retry'],
  ['status', 'HEAD', true, 2, 10, false, 'retry'],
  ['status', 'POST', true, 1, 10, false, 'not-idempotent'],
  ['status', 'GET', true, 3, 10, false, 'retries-exhausted'],
  ['rescued', 'GET', true, 1, 10, false, 'retry'],
  ['rescued', 'POST', true, 1, 10, false, 'not-idempotent'],
  ['connect', 'GET', true, 1, 10, true, 'response-started'],
  ['rejected', 'GET', true, 1, 10, false, 'not-sendable'], // undici refused it: any backend would
  ['rejected', 'POST', false, 1, 10, false, 'not-sendable'],
];

for (const [kind, method, replayable, tries, elapsedMs, responseStarted, expected] of rows) {
  t.test(`${kind} ${method} replayable=${replayable} tries=${tries} elapsed=${elapsedMs} started=${responseStarted} → ${expected}`, async (t) => {
    const verdict = shouldRetry({ kind, method, replayable, tries, elapsedMs, responseStarted }, limits);
    t.equal(verdict.retry ? 'retry' : verdict.why, expected);
  });
}

t.test('retries: 0 means a single try, whatever the failure', async (t) => {
  t.same(shouldRetry({ kind: 'connect', method: 'GET', replayable: true, tries: 1, elapsedMs: 0, responseStarted: false }, { ...limits, retries: 0 }), { retry: false, why: 'retries-exhausted' });
});
