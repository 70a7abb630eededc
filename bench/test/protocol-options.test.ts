// `npm run bench -- --protocol P`: h1 stays the bench it was; h2, grpc and tls-handshake measure gateway, nginx
// and HAProxy with h2load, and every flag that makes no sense with the protocol is refused in one line naming it.
import t from 'tap';
import { parseOptions, UsageError } from '../options.js';
import { runBench } from './helpers/run-bench.js';

const parse = (...argv: string[]) => parseOptions(argv, 'out', false)!;

t.test('h1 is the default and keeps its defaults', async (t) => {
  const options = parse();
  t.equal(options.protocol, 'h1');
  t.same(options.targets, ['direct', 'gateway', 'nginx', 'haproxy']);
  t.same(options.tools, ['autocannon']);
  t.equal(options.streams, 1);
});

t.test('h2, grpc and tls-handshake run h2load against gateway, nginx and HAProxy', async (t) => {
  const table = [
    { protocol: 'h2', connections: 10, streams: 10, backends: 'demo' },
    { protocol: 'grpc', connections: 10, streams: 10, backends: 'greeter' },
    { protocol: 'tls-handshake', connections: 50, streams: 1, backends: 'demo' },
  ];
  for (const expected of table) {
    const options = parse('--protocol', expected.protocol);
    t.same(
      { protocol: options.protocol, connections: options.connections, streams: options.streams, backends: options.backends },
      expected,
      `${expected.protocol}: its defaults`,
    );
    t.same(options.targets, ['gateway', 'nginx', 'haproxy'], `${expected.protocol}: the three with TLS and h2c listeners`);
    t.same(options.tools, ['h2load'], `${expected.protocol}: measured with h2load`);
    t.equal(options.proxyConfigs, 'rendered', `${expected.protocol}: nginx and HAProxy run the rendered configs`);
  }
  t.equal(parse('--protocol', 'h2', '--streams', '50', '--connections', '4').streams, 50, '--streams sets h2load -m');
  t.same(parse('--protocol', 'h2', '--backends', 'nginx', '--targets', 'haproxy,gateway').targets, ['haproxy', 'gateway'], 'targets in the order given');
});

t.test('a flag that makes no sense with the protocol is refused, naming the flag', async (t) => {
  const table: Array<[string[], RegExp]> = [
    [['--protocol', 'h3'], /^--protocol: "h3" is not one of h1, h2, grpc, tls-handshake$/],
    [['--protocol', 'h2', '--targets', 'direct,gateway'], /^--targets: "direct" has no TLS or h2c listener/],
    [['--protocol', 'grpc', '--targets', 'node-floor'], /^--targets: "node-floor"/],
    [['--protocol', 'h2', '--tool', 'wrk'], /^--tool: with --protocol h2 the load generator is h2load$/],
    [['--tool', 'h2load'], /^--tool h2load: h2load measures --protocol h2, grpc and tls-handshake/],
    [['--protocol', 'h2', '--rate', '100'], /^--rate: not with --protocol h2/],
    [['--protocol', 'grpc', '--pipelining', '4'], /^--pipelining: not with --protocol grpc; use --streams N$/],
    [['--protocol', 'h2', '--routes', '10'], /^--routes: not with --protocol h2/],
    [['--protocol', 'tls-handshake', '--node', process.execPath], /^--node: not with --protocol tls-handshake/],
    [['--protocol', 'h2', '--proxy-configs', 'minimal'], /^--proxy-configs: with --protocol h2 nginx and HAProxy run the rendered configs only/],
    [['--protocol', 'grpc', '--backends', 'nginx'], /^--backends: with --protocol grpc the backends are the demo gRPC Greeters$/],
    [['--protocol', 'tls-handshake', '--streams', '10'], /^--streams: not with --protocol tls-handshake/],
    [['--streams', '10'], /^--streams: HTTP\/2 streams per connection need --protocol h2 or grpc$/],
    [['--protocol', 'h2', '--streams', '0'], /^--streams: expected an integer from 1 to 1000, got "0"$/],
  ];
  for (const [argv, message] of table) {
    let thrown: unknown;
    try {
      parse(...argv);
    } catch (error) {
      thrown = error;
    }
    t.ok(thrown instanceof UsageError, `${argv.join(' ')}: a UsageError`);
    t.match((thrown as Error | undefined)?.message, message, argv.join(' '));
  }
});

t.test('the command line exits 2 with the one line and the usage', async (t) => {
  const run = await runBench(['--protocol', 'grpc', '--targets', 'direct']);
  t.equal(run.code, 2, 'exit 2');
  t.match(run.stderr.split('\n')[0], /^bench: --targets: "direct" has no TLS or h2c listener/, 'the first line names the flag');
  t.match(run.stderr, /--protocol P {8}h1 \(default/, 'then the usage, which documents --protocol');
});
