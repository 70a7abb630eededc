// A gateway in this process with an h2c port, in front of the given backends, closed at the test's end: what the
// HTTP/2 tests start. Probes cannot flip a backend down on a busy machine (fall 100): the tests are about HTTP/2.
import type { Test } from 'tap';
import { startGateway, waitFor, type TestGateway } from './gateway.js';

export async function startH2cGateway(t: Test, backendUrls: string[]): Promise<{ gw: TestGateway; url: string }> {
  const gw = await startGateway({ backends: backendUrls, http2: { h2cPort: 0 }, healthCheck: { fall: 100 } });
  t.teardown(() => gw.close());
  await waitFor(() => gw.gateway.loadBalancer.available === backendUrls.length);
  return { gw, url: `http://127.0.0.1:${gw.h2cPort!}` };
}
