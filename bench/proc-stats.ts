// CPU time and resident memory of whole process groups, read from /proc (Linux only), so a target's cost
// includes its children (nginx's workers) and nothing else on the machine.
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

/** Kernel clock ticks per second, the unit of utime/stime in /proc/PID/stat (100 on nearly every Linux). */
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface ProcStat {
  pid: number;
  pgrp: number;
  /** utime + stime + cutime + cstime: its own CPU plus that of children it has already reaped. */
  cpuTicks: number;
}

async function readStat(pid: number): Promise<ProcStat | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // exited between readdir and read
  }
  const field = statFields(text);
  return { pid, pgrp: field(5), cpuTicks: field(14) + field(15) + field(16) + field(17) };
}

/** Field n (1-based, as in proc(5)) of a /proc/PID/stat line, as a number. */
function statFields(text: string): (n: number) => number {
  // The command name (field 2) may contain spaces and parentheses: fields are counted after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (n) => Number(fields[n - 3]);
}

/** Pids of every live process whose process group is one of `pgids`. */
export async function groupPids(pgids: readonly number[]): Promise<number[]> {
  return (await groupStats(pgids)).map((stat) => stat.pid);
}

async function groupStats(pgids: readonly number[]): Promise<ProcStat[]> {
  const wanted = new Set(pgids);
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const stats = await Promise.all(pids.map(readStat));
  return stats.filter((stat): stat is ProcStat => stat !== undefined && wanted.has(stat.pgrp));
}

/** CPU seconds (user + system) used so far by every process in the groups. */
export async function groupCpuSeconds(pgids: readonly number[]): Promise<number> {
  const stats = await groupStats(pgids);
  return stats.reduce((sum, stat) => sum + stat.cpuTicks, 0) / TICKS_PER_SECOND;
}

/** CPU seconds this process has collected from children it reaped (how a finished wrk's cost is read). */
export async function reapedChildrenCpuSeconds(): Promise<number> {
  const field = statFields(await readFile('/proc/self/stat', 'utf8'));
  return (field(16) + field(17)) / TICKS_PER_SECOND;
}

/** Sum of VmRSS over `pids`, in bytes (a pid that has exited counts 0). */
export async function rssBytes(pids: readonly number[]): Promise<number> {
  const sizes = await Promise.all(
    pids.map(async (pid) => {
      try {
        const status = await readFile(`/proc/${pid}/status`, 'utf8');
        return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
      } catch {
        return 0;
      }
    }),
  );
  return sizes.reduce((sum, size) => sum + size, 0);
}

/** Samples the summed RSS of `pids` every `intervalMs` until stopped; returns the highest sample. */
export function sampleRss(pids: readonly number[], intervalMs: number): { stop(): Promise<number> } {
  let peak = 0;
  const sample = async () => {
    peak = Math.max(peak, await rssBytes(pids));
  };
  let pending = sample();
  const timer = setInterval(() => {
    pending = pending.then(sample);
  }, intervalMs);
  let stopped: Promise<number> | undefined;
  return {
    // Idempotent: measure() stops it for the figure and again in `finally`, so a failed run cannot leave it running.
    stop() {
      clearInterval(timer);
      return (stopped ??= pending.then(sample).then(() => peak));
    },
  };
}
