// A free TCP port on 127.0.0.1, for processes that cannot report the port they bound (nginx, HAProxy,
// Prometheus, etcd, a backend restarted on the same port). Shared by the bench and the test helpers.
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
