// `npm run bench:scale -- --idle N`: N idle keep-alive client connections held open on the gateway (each made one
// request and then went quiet, as browsers and mobile clients leave them) while a normal client's requests are
// timed; reports the gateway's RSS and that client's latency before and while they are held.
import { Agent, request } from 'node:http';
import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { groupPids, rssBytes } from './proc-stats.js';
import { stopProcess } from './processes.js';
import { startGateway, startWildcardBackend } from './scale-fleet.js';

export interface IdleResult {
  opened: number;
  /** Idle connections still open after the timed requests (the gateway closed none it should keep). */
  stillOpen: number;
  rssBeforeMb: number;
  rssHeldMb: number;
  before: Latency;
  held: Latency;
}

interface Latency {
  medianMs: number;
  p99Ms: number;
}

/** Connections being opened at once: enough to be quick, few enough not to overflow the listen backlog. */
const OPENING_AT_ONCE = 200;
const TIMED_REQUESTS = 300;

export async function measureIdle(connections: number): Promise<IdleResult> {
  const backend = await startWildcardBackend();
  const idle: Socket[] = [];
  try {
    const gateway = await startGateway({
      GATEWAY_BACKENDS: `http://127.0.0.1:${backend.port}`,
      // Held for the whole run: the default 5 s idle timeout would close them before they are counted.
      GATEWAY_LIMITS_CLIENT_KEEP_ALIVE_TIMEOUT_MS: '600000',
    });
    try {
      const { port } = new URL(gateway.url);
      const rss = async () => (await rssBytes(await groupPids([gateway.process.pgid]))) / 2 ** 20;
      await timeRequests(gateway.url); // warm-up: the first requests pay for JIT and connections
      const before = await timeRequests(gateway.url);
      const rssBeforeMb = await rss();
      for (let next = 0; next < connections; next += OPENING_AT_ONCE) {
        const batch = Array.from({ length: Math.min(OPENING_AT_ONCE, connections - next) }, () => openIdle(Number(port)));
        idle.push(...(await Promise.all(batch)));
      }
      await new Promise((resolve) => setTimeout(resolve, 2000)); // let the gateway settle (GC) before reading its RSS
      const held = await timeRequests(gateway.url);
      const rssHeldMb = await rss();
      const stillOpen = idle.filter((socket) => !socket.destroyed && socket.readyState === 'open').length;
      return { opened: idle.length, stillOpen, rssBeforeMb, rssHeldMb, before, held };
    } finally {
      for (const socket of idle) socket.destroy();
      await stopProcess(gateway.process);
    }
  } finally {
    await stopProcess(backend.process);
  }
}

/** One connection that sends one GET, reads the whole answer ("ok", Content-Length: 2) and then stays idle. */
function openIdle(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => socket.destroy(new Error('no answer within 10 s on an idle connection')), 10_000);
    socket.setEncoding('latin1');
    socket.once('connect', () => socket.write('GET /hello HTTP/1.1\r\nHost: bench\r\n\r\n'));
    socket.on('data', function answered(chunk: string) {
      text += chunk;
      if (!text.endsWith('\r\n\r\nok')) return;
      clearTimeout(timer);
      socket.off('data', answered);
      if (!text.startsWith('HTTP/1.1 200')) reject(new Error(`idle connection answered ${text.slice(0, text.indexOf('\r\n'))}`));
      else resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Sequential GETs over one keep-alive connection, as a normal client makes them: median and p99. */
async function timeRequests(url: string): Promise<Latency> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  try {
    for (let i = 0; i < TIMED_REQUESTS; i++) {
      const start = performance.now();
      await new Promise<void>((resolve, reject) => {
        request(`${url}/hello`, { agent }, (response) => {
          response.resume();
          response.once('end', resolve);
        }).once('error', reject).end();
      });
      times.push(performance.now() - start);
    }
  } finally {
    agent.destroy();
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)]!, p99Ms: times[Math.floor(times.length * 0.99)]! };
}

/**
 * The open-files limit this process (and the gateway it starts, which inherits it) needs for `connections`. When
 * the soft limit is lower but the hard one allows it, returns the `sh -c 'ulimit -n'` command line that reruns
 * the bench with it raised; when even the hard limit is too low, throws what to do.
 */
export async function openFilesRerun(connections: number): Promise<string[] | undefined> {
  const needed = connections + 1024;
  const line = (await readFile('/proc/self/limits', 'utf8')).split('\n').find((text) => text.startsWith('Max open files'));
  const [soft, hard] = (line?.slice('Max open files'.length).trim().split(/\s+/) ?? []).map((field) => (field === 'unlimited' ? Infinity : Number(field)));
  if (soft === undefined || hard === undefined || soft >= needed) return undefined;
  if (hard < needed) throw new Error(`--idle ${connections} needs ${needed} open files, but the hard limit (ulimit -Hn) is ${hard}: raise it as root first`);
  return ['sh', '-c', `ulimit -n ${needed} && exec "$0" "$@"`, process.execPath, ...process.execArgv, ...process.argv.slice(1)];
}
