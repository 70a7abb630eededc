// Every process the bench starts, each in its own process group, so stopping a target also stops its
// children (nginx workers) and nothing the bench started outlives it: not on errors, not on Ctrl-C.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** How long a target gets to exit after SIGTERM before its whole group is killed. */
const STOP_GRACE_MS = 5_000;
/** Lines of output kept per process, to explain a failed start. */
const KEPT_LINES = 20;

export interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  /** The process group id (= the leader's pid): /proc accounting and signals go to the whole group. */
  readonly pgid: number;
  /** The last lines it printed (stdout and stderr); output is always drained so a full pipe never stalls it. */
  readonly lastLines: string[];
  /** Resolves when the leader has exited and its output is read to the end. */
  readonly exited: Promise<void>;
  /** Called with every line of output (e.g. to find "gateway listening"). */
  onLine(listener: (line: string) => void): void;
}

const running = new Set<Started>();

/** Spawns `command` as the leader of a new process group; it is stopped by stopAll() or at exit. */
export function startProcess(name: string, command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Started {
  // detached: a new process group, which also keeps the terminal's Ctrl-C away from it: the bench decides.
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) {
    child.once('error', () => {}); // spawn failures arrive as an event too; the throw below reports this one
    throw new Error(`cannot start ${name}: ${command} could not be run (not installed?)`);
  }
  const lastLines: string[] = [];
  const listeners: Array<(line: string) => void> = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      lastLines.push(line);
      if (lastLines.length > KEPT_LINES) lastLines.shift();
      for (const listener of listeners) listener(line);
    });
  }
  const started: Started = {
    name,
    child,
    pgid: child.pid,
    lastLines,
    exited: new Promise((resolve) => child.once('close', () => resolve())),
    onLine: (listener) => listeners.push(listener),
  };
  child.once('error', () => running.delete(started));
  running.add(started);
  void started.exited.then(() => running.delete(started));
  return started;
}

/** Rejects if the process exits before `ready` settles, naming it and quoting its last output. */
export function failOnEarlyExit<T>(started: Started, ready: Promise<T>): Promise<T> {
  const early = new Promise<never>((_, reject) => {
    started.child.once('error', (error) => reject(new Error(`${started.name} failed to start: ${error.message}`)));
    void started.exited.then(() => reject(new Error(`${started.name} exited before it was ready:\n  ${started.lastLines.join('\n  ')}`)));
  });
  return Promise.race([ready, early]);
}

function signalGroup(started: Started, signal: NodeJS.Signals): void {
  try {
    process.kill(-started.pgid, signal);
  } catch {
    // the group is already gone
  }
}

/** SIGTERM to the group, SIGKILL to the group if the leader has not exited within the grace period. */
export async function stopProcess(started: Started): Promise<void> {
  if (running.has(started)) {
    signalGroup(started, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(started, 'SIGKILL'), STOP_GRACE_MS);
    await started.exited;
    clearTimeout(timer);
  }
  // nginx workers may outlive their master by a moment: make sure the group is empty.
  signalGroup(started, 'SIGKILL');
  running.delete(started);
}

/** Stops everything still running, newest first (proxies before the backends behind them). */
export async function stopAll(): Promise<void> {
  for (const started of [...running].reverse()) await stopProcess(started);
}

// Last resort when the bench dies without reaching its cleanup: exit handlers must be synchronous.
process.once('exit', () => {
  for (const started of running) signalGroup(started, 'SIGKILL');
});
