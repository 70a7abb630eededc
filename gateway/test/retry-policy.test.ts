// The retry policy as tables: failure kind × method × body × tries × elapsed × what is left → retry where, or
// why not; and when a slow first try gets a hedge.
import t from 'tap';
import { shouldHedge, shouldRetry, type FailureKind } from '../src/proxy/retry-policy.js';

const limits = { retries: 2, tryDurationMs: 5_000, idempotentMethods: new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']) };
const OTHER = 'other-backend';
const FRESH = 'same-backend-fresh-connection';

const rows: [FailureKind, string, boolean, number, number, boolean, boolean, boolean, string][] = [
  // kind, method, replayable, tries, elapsedMs, responseStarted, otherBackendLeft, freshConnectionTried, expected
  ['connect', 'GET', true, 1, 10, false, true, false, OTHER],
  ['connect', 'POST', false, 1, 10, false, true, false, OTHER], // nothing was sent: safe for every method, even a streamed body
  ['connect', 'PATCH', true, 2, 10, false, true, false, OTHER],
  ['connect', 'GET', true, 3, 10, false, true, false, 'retries-exhausted'],
  ['connect', 'GET', true, 1, 5_000, false, true, false, 'try-duration-exceeded'],
  ['connect', 'GET', true, 1, 10, false, false, false, 'no-backend-left'], // refused says nothing of a keep-alive race
  ['reset', 'GET', true, 1, 10, false, true, false, OTHER], // the keep-alive race: closed before any response byte
  ['reset', 'PUT', true, 1, 10, false, true, false, OTHER],
  ['reset', 'DELETE', true, 2, 10, false, true, false, OTHER],
  ['reset', 'POST', true, 1, 10, false, true, false, 'not-idempotent'],
  ['reset', 'PATCH', true, 1, 10, false, true, false, 'not-idempotent'],
  ['reset', 'PUT', false, 1, 10, false, true, false, 'body-not-replayable'],
  ['reset', 'GET', true, 1, 10, true, true, false, 'response-started'],
  ['reset', 'GET', true, 1, 10, false, false, false, FRESH], // nowhere else: the same backend, on a new connection
  ['reset', 'HEAD', true, 2, 10, false, false, false, FRESH],
  ['reset', 'GET', true, 2, 10, false, false, true, 'no-backend-left'], // a new connection was reset too: not a race
  ['reset', 'POST', true, 1, 10, false, false, false, 'not-idempotent'],
  ['reset', 'GET', true, 3, 10, false, false, false, 'retries-exhausted'],
  ['timeout', 'GET', true, 1, 10, false, true, false, OTHER], // per-try or headers timeout
  ['timeout', 'POST', true, 1, 10, false, true, false, 'not-idempotent'],
  ['timeout', 'GET', true, 1, 6_000, false, true, false, 'try-duration-exceeded'],
  ['timeout', 'GET', true, 1, 10, false, false, false, 'no-backend-left'], // a slow backend is not a closed socket
  ['status', 'GET', true, 1, 10, false, true, false, OTHER],
  ['status', 'HEAD', true, 2, 10, false, true, false, OTHER],
  ['status', 'POST', true, 1, 10, false, true, false, 'not-idempotent'],
  ['status', 'GET', true, 3, 10, false, true, false, 'retries-exhausted'],
  ['status', 'GET', true, 1, 10, false, false, false, 'no-backend-left'], // passed on as it is
  ['rescued', 'GET', true, 1, 10, false, true, false, OTHER],
  ['rescued', 'POST', true, 1, 10, false, true, false, 'not-idempotent'],
  ['connect', 'GET', true, 1, 10, true, true, false, 'response-started'],
  ['rejected', 'GET', true, 1, 10, false, true, false, 'not-sendable'], // undici refused it: any backend would
  ['rejected', 'POST', false, 1, 10, false, true, false, 'not-sendable'],
];

for (const [kind, method, replayable, tries, elapsedMs, responseStarted, otherBackendLeft, freshConnectionTried, expected] of rows) {
  t.test(`${kind} ${method} replayable=${replayable} tries=${tries} elapsed=${elapsedMs} started=${responseStarted} other=${otherBackendLeft} fresh=${freshConnectionTried} → ${expected}`, async (t) => {
    const verdict = shouldRetry({ kind, method, replayable, tries, elapsedMs, responseStarted, otherBackendLeft, freshConnectionTried }, limits);
    t.equal(verdict.retry ? verdict.where : verdict.why, expected);
  });
}

// gRPC pools: every call is a POST, so idempotency is by method path (pools.NAME.grpc.idempotentMethods).
const grpcLimits = { ...limits, idempotentMethods: new Set(['/helloworld.Greeter/SayHello']) };
const grpcRows: [FailureKind, string, boolean, boolean, string][] = [
  // kind, method path, replayable (recorded body), responseStarted, expected
  ['connect', '/helloworld.Greeter/SayHelloBidi', true, false, OTHER], // nothing was sent: any call
  ['reset', '/helloworld.Greeter/SayHello', true, false, OTHER], // listed as idempotent
  ['reset', '/helloworld.Greeter/SayHelloBidi', true, false, 'not-idempotent'],
  ['timeout', '/helloworld.Greeter/SayHello', true, false, OTHER],
  ['reset', '/helloworld.Greeter/SayHello', false, false, 'body-not-replayable'], // past the recorded limit
  ['reset', '/helloworld.Greeter/SayHello', true, true, 'response-started'], // never after response bytes went out
];

for (const [kind, method, replayable, responseStarted, expected] of grpcRows) {
  t.test(`gRPC ${kind} ${method} replayable=${replayable} started=${responseStarted} → ${expected}`, async (t) => {
    const verdict = shouldRetry({ kind, method, replayable, tries: 1, elapsedMs: 10, responseStarted, otherBackendLeft: true, freshConnectionTried: false }, grpcLimits);
    t.equal(verdict.retry ? verdict.where : verdict.why, expected);
  });
}

t.test('retries: 0 means a single try, whatever the failure', async (t) => {
  const question = { kind: 'connect' as const, method: 'GET', replayable: true, tries: 1, elapsedMs: 0, responseStarted: false, otherBackendLeft: true, freshConnectionTried: false };
  t.same(shouldRetry(question, { ...limits, retries: 0 }), { retry: false, why: 'retries-exhausted' });
});

const hedgeRows: [string, boolean, number, number, boolean, string][] = [
  // method, hasBody, tries, elapsedMs, otherBackendLeft, expected
  ['GET', false, 1, 100, true, 'hedge'],
  ['HEAD', false, 1, 100, true, 'hedge'],
  ['GET', false, 2, 100, true, 'hedge'], // a retry still waiting may be hedged, within the retry count
  ['GET', false, 3, 100, true, 'retries-exhausted'], // a hedge is a retry: the count bounds both
  ['GET', false, 1, 5_000, true, 'try-duration-exceeded'],
  ['GET', false, 1, 100, false, 'no-backend-left'],
  ['GET', true, 1, 100, true, 'has-body'],
  ['PUT', false, 1, 100, true, 'not-get-or-head'], // idempotent, but not cheap to send twice
  ['POST', false, 1, 100, true, 'not-get-or-head'],
];

for (const [method, hasBody, tries, elapsedMs, otherBackendLeft, expected] of hedgeRows) {
  t.test(`hedge ${method} body=${hasBody} tries=${tries} elapsed=${elapsedMs} other=${otherBackendLeft} → ${expected}`, async (t) => {
    const verdict = shouldHedge({ method, hasBody, tries, elapsedMs, otherBackendLeft }, limits);
    t.equal(verdict.hedge ? 'hedge' : verdict.why, expected);
  });
}
