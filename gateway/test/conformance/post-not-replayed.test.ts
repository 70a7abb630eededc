// Conformance: a POST is never sent twice. When the backend that got it cuts the connection after reading it,
// the client gets 502 and no other backend sees that POST: the arrivals, counted at the backends, equal the POSTs sent.
// The documented difference: when such a POST was not the first request on the client's kept-alive connection,
// HAProxy closes that connection without an answer (status 0 here) and leaves the decision to retry to the client.
import t from 'tap';
import { arrivalsOf, startScriptedBackend } from '../helpers/fault-servers.js';
import { startTarget, TARGETS, type TargetName } from '../helpers/proxy-targets.js';
import { statusCounts, timedRequests } from '../helpers/timed-request.js';

const POSTS = 9;
/** What a client sees for a POST whose backend cut the connection; 0 is a connection closed without a response. */
const CUT_POST_ANSWERS: Record<TargetName, number[]> = { gateway: [502], nginx: [502], haproxy: [502, 0] };

for (const name of TARGETS) {
  t.test(`${name}: a POST cut off mid-request answers 502 and is not replayed`, async (t) => {
    const backends = await Promise.all([
      startScriptedBackend('backend-1', 'answer'),
      startScriptedBackend('backend-2', 'reset'),
      startScriptedBackend('backend-3', 'answer'),
    ]);
    const target = await startTarget(name, backends.map((backend) => backend.url));
    t.teardown(async () => {
      await target.stop();
      await Promise.all(backends.map((backend) => backend.stop()));
    });

    const responses = await timedRequests(POSTS, `${target.url}/hello`, { method: 'POST', body: 'Hello', headers: { 'content-type': 'text/plain' } });
    const cut = backends[1]!.arrivals.get('POST /hello') ?? 0;
    t.ok(cut >= 1, `the resetting backend received ${cut} POST(s), so the case was exercised`);
    t.equal(arrivalsOf(backends, 'POST /hello'), POSTS, `${POSTS} POSTs sent, ${POSTS} arrived in all: none replayed`);
    const failed = responses.filter((response) => response.status !== 200);
    t.equal(failed.length, cut, `only the cut POSTs failed (${JSON.stringify(statusCounts(responses))})`);
    t.ok(failed.every((response) => CUT_POST_ANSWERS[name].includes(response.status)), `each was answered ${CUT_POST_ANSWERS[name].join(' or ')}`);
  });
}
