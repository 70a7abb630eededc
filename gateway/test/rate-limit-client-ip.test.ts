// X-Forwarded-For decides a client-ip rate limit's key only when the peer is a trusted proxy: a table of peers
// and headers against clientIpReader, then curl through real gateways that trust loopback, or do not.
import type { IncomingMessage } from 'node:http';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { clientIpReader } from '../src/edge/client-ip.js';
import { startCountingServer } from './helpers/counting-server.js';
import { startGateway } from './helpers/gateway.js';

const run = promisify(execFile);

const request = (peer: string, xff?: string | string[]) => ({ socket: { remoteAddress: peer }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as unknown as IncomingMessage;

t.test('which address is the client', async (t) => {
  const trusted = clientIpReader(['10.0.0.0/8', '192.168.1.5', 'fd00::/8']);
  const cases: [string, string, string | string[] | undefined, string][] = [
    ['an untrusted peer: its header is ignored', '203.0.113.9', '198.51.100.1', '203.0.113.9'],
    ['a trusted peer without the header is the client', '10.1.2.3', undefined, '10.1.2.3'],
    ['a trusted peer: the last hop it names', '10.1.2.3', '198.51.100.1', '198.51.100.1'],
    ['trusted hops are skipped from the right', '10.1.2.3', '198.51.100.1, 192.168.1.5, 10.9.9.9', '198.51.100.1'],
    ['a forged hop left of the first untrusted one is not believed', '10.1.2.3', '6.6.6.6, 198.51.100.1', '198.51.100.1'],
    ['several header lines are one list', '10.1.2.3', ['198.51.100.1', '10.2.2.2'], '198.51.100.1'],
    ['garbage stops the walk at the last good hop', '10.1.2.3', 'not-an-ip, 10.2.2.2', '10.2.2.2'],
    ['an IPv4-mapped peer matches IPv4 entries', '::ffff:10.1.2.3', '198.51.100.1', '198.51.100.1'],
    ['IPv6 blocks', 'fd00::1', '2001:db8::7', '2001:db8::7'],
    ['all hops trusted: the leftmost', '10.1.2.3', '10.3.3.3', '10.3.3.3'],
  ];
  for (const [what, peer, xff, client] of cases) t.equal(trusted(request(peer, xff)), client, what);
  t.equal(clientIpReader([])(request('10.1.2.3', '198.51.100.1')), '10.1.2.3', 'no trusted proxies: always the socket');
});

async function statusesWith(url: string, forwardedFor: string[]): Promise<number[]> {
  const statuses: number[] = [];
  for (const address of forwardedFor) {
    const { stdout } = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-H', `X-Forwarded-For: ${address}`, url]);
    statuses.push(Number(stdout));
  }
  return statuses;
}

t.test('through a gateway: X-Forwarded-For counts only from a trusted proxy', async (t) => {
  const backend = await startCountingServer((_req, res) => res.end('ok'));
  const route = { name: 'api', match: {}, pool: 'default', rateLimit: { rate: 1, burst: 1 } };
  const behindProxy = await startGateway({ backends: [backend.url], healthCheck: { enabled: false }, trustedProxies: ['127.0.0.1'], routes: [route] });
  const exposed = await startGateway({ backends: [backend.url], healthCheck: { enabled: false }, trustedProxies: ['10.0.0.0/8'], routes: [route] });
  t.teardown(async () => {
    await behindProxy.close();
    await exposed.close();
    await backend.close();
  });

  t.same(await statusesWith(`${behindProxy.url}/a`, ['198.51.100.1', '198.51.100.1', '198.51.100.2']), [200, 429, 200],
    'loopback is a trusted proxy: each forwarded client has its own limit');
  t.same(await statusesWith(`${exposed.url}/a`, ['198.51.100.1', '198.51.100.2', '198.51.100.3']), [200, 429, 429],
    'loopback is not trusted: the header is ignored and all three are the one socket address');
});
