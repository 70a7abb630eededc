// The targets of --protocol h2, grpc and tls-handshake: the gateway with its TLS listener (ALPN h2) or its h2c port
// in front of a gRPC pool, and nginx and HAProxy running what `gateway render` makes of the same gateway config,
// with a self-signed certificate made at run time. Also the gRPC backends: three demo Greeter processes.
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:http2';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDemoCertificate } from '../gateway/src/demo-certificate.js';
import { freePort } from './free-port.js';
import { gatewayEnv } from './gateway-env.js';
import { SAY_HELLO_PATH, waitForGreeters } from './grpc-call.js';
import { failOnEarlyExit, startProcess, type Started } from './processes.js';
import type { Protocol } from './protocol-options.js';
import { renderedProxyConfig } from './rendered-configs.js';
import { spawnGateway, startNginx, type Backends, type Target, type TargetName } from './targets.js';

/** How long a target may take to answer its first request through TLS or h2c (the gateway probes its backends first). */
const READY_TIMEOUT_MS = 15_000;
const distDir = fileURLToPath(new URL('..', import.meta.url));

export interface Certificate {
  cert: string;
  key: string;
  /** The certificate's PEM, which the readiness check trusts. */
  pem: Buffer;
}

/** A certificate for localhost and 127.0.0.1 in `dir`, with the <cert>.key link HAProxy reads the key from. */
export async function makeBenchCertificate(dir: string): Promise<Certificate> {
  const made = makeDemoCertificate(join(dir, 'tls'));
  if ('error' in made) throw new Error(`no certificate for the TLS bench: ${made.error}`);
  await symlink(made.key, `${made.cert}.key`);
  return { ...made, pem: await readFile(made.cert) };
}

/** Three demo gRPC Greeters (h2c) on 127.0.0.1; their CPU is not the proxies'. */
export async function startGreeters(count: number): Promise<Backends> {
  const script = join(distDir, 'backends/src/greeter-server.js');
  const started = Array.from({ length: count }, (_, index) =>
    startProcess(`greeter-${index + 1}`, process.execPath, [script, '--id', `greeter-${index + 1}`, '--port', '0', '--host', '127.0.0.1'], {
      env: { PATH: process.env.PATH, LOG_LEVEL: 'info' },
    }),
  );
  const ports = await Promise.all(started.map((greeter) => failOnEarlyExit(greeter, new Promise<number>((resolve) =>
    greeter.onLine((line) => {
      const found = /Greeter listening at 127\.0\.0\.1:(\d+)/.exec(line);
      if (found) resolve(Number(found[1]));
    }),
  ))));
  return { kind: 'greeter', origins: ports.map((port) => `http://127.0.0.1:${port}`), pgids: started.map((greeter) => greeter.pgid) };
}

/** The GATEWAY_* variables of the config all three targets serve: a TLS listener, or a gRPC pool behind h2c. */
function protocolEnv(protocol: Exclude<Protocol, 'h1'>, backends: Backends, certificate: Certificate | undefined): Record<string, string> {
  if (protocol !== 'grpc') {
    if (certificate === undefined) throw new Error(`--protocol ${protocol} needs a certificate (makeBenchCertificate)`);
    // Port 0: the gateway says which it took; nginx and HAProxy are rendered with ports of their own.
    return { GATEWAY_TLS_ENABLED: 'true', GATEWAY_TLS_PORT: '0', GATEWAY_TLS_CERTIFICATES: JSON.stringify([{ cert: certificate.cert, key: certificate.key }]) };
  }
  return {
    GATEWAY_BACKENDS: '',
    GATEWAY_POOLS: JSON.stringify({ greeter: { backends: backends.origins, protocol: 'grpc' } }),
    GATEWAY_ROUTES: JSON.stringify([{ name: 'rpc', match: {}, pool: 'greeter' }]),
    GATEWAY_HTTP2_H2C_PORT: '0',
  };
}

/**
 * Starts one of gateway, nginx, haproxy for `protocol` and waits until the measured path answers as it should.
 * `certificate`: for the TLS listener (h2, tls-handshake); grpc goes over h2c and needs none.
 */
export async function startSecureTarget(name: TargetName, protocol: Exclude<Protocol, 'h1'>, backends: Backends, dir: string, certificate: Certificate | undefined): Promise<Target> {
  const env = protocolEnv(protocol, backends, certificate);
  let started: Started;
  let port: number | undefined;
  if (name === 'gateway') {
    const gateway = await spawnGateway(name, process.execPath, dir, { ...gatewayEnv(protocol === 'grpc' ? [] : backends.origins), ...env });
    started = gateway.gateway;
    port = protocol === 'grpc' ? gateway.ports.h2cPort : gateway.ports.tlsPort;
    if (port === undefined) throw new Error(`the gateway logged no ${protocol === 'grpc' ? 'h2c' : 'TLS'} port`);
  } else if (name === 'nginx' || name === 'haproxy') {
    port = await freePort();
    started = await startDropIn(name, protocol, backends, dir, env, port);
  } else {
    throw new Error(`${name} has no TLS or h2c listener`);
  }
  if (protocol === 'grpc') {
    const exited = watchExit(started);
    await failOnEarlyExit(started, waitForGreeters(`127.0.0.1:${port}`, backends.origins.length, READY_TIMEOUT_MS, () => !exited.value));
    return { name, url: `http://127.0.0.1:${port}${SAY_HELLO_PATH}`, pgids: [started.pgid] };
  }
  const url = `https://127.0.0.1:${port}/hello`;
  await failOnEarlyExit(started, waitForWorld(url, certificate!, started));
  return { name, url, pgids: [started.pgid] };
}

/** nginx or HAProxy with the rendered config (one worker, one thread, as the h1 bench), TLS or h2c on `port`. */
async function startDropIn(kind: 'nginx' | 'haproxy', protocol: Exclude<Protocol, 'h1'>, backends: Backends, dir: string, env: Record<string, string>, port: number): Promise<Started> {
  const [cleartextPort, statsPort] = await Promise.all([freePort(), freePort()]);
  const proxyDir = join(dir, kind);
  await mkdir(proxyDir, { recursive: true });
  const ports = protocol === 'grpc' ? { h2cPort: port } : { tlsPort: port };
  const config = await renderedProxyConfig(kind, { dir: proxyDir, port: cleartextPort, statsPort, backends: protocol === 'grpc' ? [] : backends.origins, env, ...ports });
  if (kind === 'nginx') return startNginx(kind, proxyDir, config);
  const file = join(proxyDir, 'haproxy.cfg');
  await writeFile(file, config);
  return startProcess(kind, 'haproxy', ['-db', '-f', file]);
}

function watchExit(started: Started): { value: boolean } {
  const exited = { value: false };
  void started.exited.then(() => (exited.value = true));
  return exited;
}

/** GET over HTTP/2 (ALPN h2, trusting the bench's certificate): "status body", or what went wrong. */
function getOverH2(url: string, certificate: Certificate): Promise<string> {
  return new Promise((resolve) => {
    const session = connect(url, { ca: certificate.pem, servername: 'localhost' });
    const fail = (error: Error) => {
      session.destroy();
      resolve(error.message);
    };
    session.once('error', fail);
    session.setTimeout(1_000, () => fail(new Error('no answer within 1 s')));
    const stream = session.request({ ':path': new URL(url).pathname });
    let status = 0;
    let body = '';
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    stream.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    stream.once('error', fail);
    stream.once('end', () => {
      session.close();
      resolve(`${status} ${body}`);
    });
  });
}

/** Polls GET url over h2 until it answers 200 World (the gateway serves once a backend passed its check). */
async function waitForWorld(url: string, certificate: Certificate, started: Started): Promise<void> {
  const exited = watchExit(started);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline && !exited.value) {
    last = await getOverH2(url, certificate);
    if (last === '200 World') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${started.name} did not answer 200 World over HTTP/2 on ${url} within ${READY_TIMEOUT_MS} ms (last: ${last}):\n  ${started.lastLines.join('\n  ')}`);
}
