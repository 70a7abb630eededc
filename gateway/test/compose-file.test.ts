// compose.yaml would start, checked without a Docker engine: it is valid against the Compose specification's JSON
// schema (as shipped by dclint) and for docker-compose, everything it builds from or mounts exists, the Dockerfiles
// follow the house rules, and every port agrees with the gateway, nginx, HAProxy, Redis and Prometheus configs,
// including what `npm start` serves: TLS on 8443 (a certificate made in a volume), h2c and three gRPC Greeters.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import t from 'tap';
import { parse } from 'yaml';
import { loadConfig } from '../src/config.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Service {
  build?: { context: string; dockerfile: string };
  restart?: string;
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

/** Container-side ports a service publishes ("127.0.0.1:8081:8081" → 8081). */
const published = (service: Service | undefined) => (service?.ports ?? []).map((spec) => Number(spec.split(':').at(-1)));
/** Host-side file of a bind mount whose container path is given. */
const mounted = (service: Service | undefined, target: string) => service?.volumes?.find((volume) => volume.split(':')[1] === target)?.split(':')[0];

t.test('compose.yaml is valid against the Compose specification schema', async (t) => {
  const schemaFile = join(dirname(createRequire(import.meta.url).resolve('dclint/package.json')), 'schemas', 'compose.schema.json');
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  // The schema names draft-07 by its https address; Ajv knows draft-07 (its default) under the http one.
  const { $schema: _draft, ...schema } = JSON.parse(readFileSync(schemaFile, 'utf8')) as Record<string, unknown>;
  const validate = ajv.compile(schema);
  t.ok(validate(compose), `schema errors: ${ajv.errorsText(validate.errors)}`);
});

const dockerCompose = spawnSync('docker-compose', ['-f', 'compose.yaml', 'config', '-q'], { cwd: ROOT, encoding: 'utf8' });
t.test('docker-compose accepts it (no engine needed for `config`)', { skip: dockerCompose.error ? 'docker-compose is not installed (.ci/run installs it)' : false }, async (t) => {
  t.equal(dockerCompose.status, 0, dockerCompose.stderr);
});

t.test('every Dockerfile, COPY source and mounted file exists', async (t) => {
  for (const [name, service] of Object.entries(services)) {
    if (service.build) {
      const dockerfile = join(service.build.context, service.build.dockerfile);
      t.ok(existsSync(join(ROOT, dockerfile)), `${name}: ${dockerfile}`);
      for (const [, sources] of read(dockerfile).matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
        for (const source of sources!.split(' ')) t.ok(existsSync(join(ROOT, service.build.context, source)), `${name}: COPY ${source}`);
      }
    }
    for (const volume of service.volumes ?? []) {
      const source = volume.split(':')[0]!;
      if (source.startsWith('.')) t.ok(existsSync(join(ROOT, source)), `${name}: mounts ${source}`);
    }
  }
});

t.test('the images are multi-stage node:20-slim, run unprivileged with production dependencies and a HEALTHCHECK', async (t) => {
  for (const dockerfile of ['gateway/Dockerfile', 'backends/Dockerfile']) {
    const text = read(dockerfile);
    t.equal(text.match(/^FROM node:20-slim\b/gm)?.length, 2, `${dockerfile}: two node:20-slim stages`);
    t.match(text, /^USER node$/m, `${dockerfile}: runs as node`);
    t.match(text, /npm ci --omit=dev/, `${dockerfile}: production dependencies only`);
    t.match(text, /^HEALTHCHECK /m, `${dockerfile}: has a HEALTHCHECK`);
  }
});

/** A job that runs once and exits (restart "no"), such as making the certificate: waited for to finish, not to be healthy. */
const oneShot = (service: Service | undefined) => service?.restart === 'no';

t.test('services wait for healthy dependencies (or one-shot jobs to finish), which all have health checks', async (t) => {
  for (const [name, service] of Object.entries(services)) {
    if (!oneShot(service)) t.ok(service.healthcheck, `${name} has a healthcheck`);
    for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
      t.equal(condition, oneShot(services[dependency]) ? 'service_completed_successfully' : 'service_healthy', `${name} waits for ${dependency}`);
      t.ok(services[dependency], `${name} depends on an existing service ${dependency}`);
    }
  }
});

t.test('ports agree with the gateway, nginx, HAProxy and Prometheus configs', async (t) => {
  const gatewayFile = mounted(services.gateway, services.gateway?.environment?.GATEWAY_CONFIG ?? '');
  t.ok(gatewayFile, 'the gateway mounts the file GATEWAY_CONFIG names');
  const config = loadConfig({ file: join(ROOT, gatewayFile!), env: {} });
  t.same(published(services.gateway), [config.listen.port, config.tls.port, config.http2.h2cPort, config.admin.port], 'gateway publishes its traffic, TLS, h2c and admin ports');

  for (const backend of [...config.backends, ...Object.values(config.pools ?? {}).flatMap((pool) => pool.backends ?? [])]) {
    const url = new URL(backend.url);
    const service = services[url.hostname];
    t.ok(service, `${backend.url} names a compose service`);
    t.equal(service?.environment?.PORT, url.port, `${url.hostname} listens on the port the pool config uses`);
    t.same(published(service), [Number(url.port)], `${url.hostname} publishes that port`);
  }

  const nginxConf = read(mounted(services.nginx, '/etc/gateway/nginx.conf')!);
  t.same(published(services.nginx), [8090, 8092], 'nginx publishes 8090 and its h2c (gRPC) port 8092');
  t.match(nginxConf, /listen 8090;/, 'the mounted nginx config listens on 8090');
  t.match(nginxConf, /listen 8092 http2;/);

  const haproxyCfg = read(mounted(services.haproxy, '/usr/local/etc/haproxy/haproxy.cfg')!);
  t.same(published(services.haproxy), [8091, 8093, 8404], 'HAProxy publishes 8091, its h2c (gRPC) port 8093 and its stats 8404');
  t.match(haproxyCfg, /bind 0\.0\.0\.0:8091\n/);
  t.match(haproxyCfg, /bind 0\.0\.0\.0:8093 proto h2\n/);
  t.match(haproxyCfg, /bind 0\.0\.0\.0:8404\n/);

  const prometheus = parse(read('prometheus/prometheus.yml')) as { scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] };
  const targets = Object.fromEntries(prometheus.scrape_configs.map((job) => [job.job_name, job.static_configs.flatMap((group) => group.targets)]));
  t.same(targets.gateway, [`gateway:${config.admin.port}`], 'Prometheus scrapes the gateway admin port');
  t.same(targets.haproxy, ['haproxy:8404'], 'Prometheus scrapes the HAProxy exporter');
  t.match(services.prometheus?.command?.toString() ?? '', /--config\.file=\/etc\/prometheus\/gateway\/prometheus\.yml/);
});

t.test('the gateway shares its rate limits in the redis service it waits for', async (t) => {
  const config = loadConfig({ file: join(ROOT, mounted(services.gateway, services.gateway?.environment?.GATEWAY_CONFIG ?? '')!), env: {} });
  t.ok(config.routes?.some((route) => route.rateLimit?.store === 'redis'), 'a route counts in Redis');
  const url = new URL(config.redis.url);
  t.ok(services[url.hostname], `redis.url ${config.redis.url} names a compose service`);
  t.same(published(services[url.hostname]), [Number(url.port)], `${url.hostname} publishes the port redis.url uses`);
  t.equal(services.gateway?.depends_on?.[url.hostname]?.condition, 'service_healthy', 'the gateway waits for Redis');
});

t.test('the gateway serves TLS with the certificate the one-shot service makes in a shared volume, as npm start does', async (t) => {
  const gateway = services.gateway!;
  t.equal(gateway.environment?.GATEWAY_TLS_ENABLED, 'true');
  const certificates = JSON.parse(gateway.environment?.GATEWAY_TLS_CERTIFICATES ?? '[]') as { cert: string; key: string }[];
  const tlsMount = gateway.volumes?.find((volume) => volume.startsWith('gateway-tls:'))?.split(':')[1];
  t.ok(tlsMount, 'the gateway mounts the gateway-tls volume');
  const maker = services[Object.keys(gateway.depends_on ?? {}).find((name) => oneShot(services[name]))!];
  const makerMount = maker?.volumes?.find((volume) => volume.startsWith('gateway-tls:'))?.split(':')[1];
  t.equal(certificates.length, 1);
  for (const path of [certificates[0]?.cert, certificates[0]?.key]) {
    t.equal(dirname(path ?? ''), tlsMount, `${path} is in the mounted volume`);
    t.match(maker?.command?.join(' ') ?? '', `${makerMount}/${path?.split('/').at(-1)}`, `the certificate service writes ${path?.split('/').at(-1)}`);
  }
});

t.test('the gRPC Greeters run the greeter server from the backend image, and route rpc reaches them', async (t) => {
  const config = loadConfig({ file: join(ROOT, mounted(services.gateway, services.gateway?.environment?.GATEWAY_CONFIG ?? '')!), env: {} });
  const greeters = config.pools?.greeter?.backends ?? [];
  t.equal(greeters.length, 3);
  for (const backend of greeters) {
    const service = services[new URL(backend.url).hostname];
    t.same(service?.command, ['node', 'dist/backends/src/greeter-server.js'], `${backend.id} runs the Greeter`);
    t.equal(service?.environment?.BACKEND_ID, backend.id);
  }
  t.equal(config.pools?.greeter?.protocol, 'grpc');
  t.ok(config.routes?.some((route) => route.pool === 'greeter' && route.match.pathPrefix === '/helloworld.Greeter/'), 'route to pool greeter by /helloworld.Greeter/');
});
