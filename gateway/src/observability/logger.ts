// The process logger and the access log: pino JSON lines through asynchronous destinations, so logging never
// blocks the event loop. `npm start` pretty-prints the stdout lines in the launcher, not here.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import pino, { type DestinationStream, type Logger } from 'pino';
import { ConfigError } from '../config.js';
import { AccessLine } from './access-line.js';
import { LineBatch } from './line-batch.js';

export type { Logger } from 'pino';

/**
 * Lines are gathered up to this many bytes before one write: the access log writes a line per request, and a
 * write per line cost about as much CPU as making the line under load (perf profile, wrk, 50 connections).
 * sonic-boom allows up to 16 KiB.
 */
const WRITE_BATCH_BYTES = 8_192;
/** A quiet gateway's lines still leave the buffer this soon. */
const FLUSH_INTERVAL_MS = 100;

type Destination = ReturnType<typeof pino.destination>;

function batchedDestination(dest: number | string): Destination {
  const destination = pino.destination({ dest, sync: false, minLength: WRITE_BATCH_BYTES, append: true, mkdir: true });
  setInterval(() => destination.flush(), FLUSH_INTERVAL_MS).unref();
  // Buffered lines must be written before the process exits.
  process.once('exit', () => destination.flushSync());
  return destination;
}

export function createLogger(level: string, name = 'gateway'): Logger {
  return pino({ name, level, base: { pid: process.pid } }, batchedDestination(1));
}

export interface AccessLog {
  readonly line: AccessLine;
  /** Opens the file again by name, so a rotated-away file is let go (no-op for stdout). */
  reopen(): void;
}

/** The access log: lines on the process logger's stdout destination, or in their own file when log.accessFile is set. */
export function createAccessLog(logger: Logger, file: string | undefined): AccessLog {
  const enabled = logger.isLevelEnabled('info');
  if (file === undefined) return { line: new AccessLine(new LineBatch((logger as unknown as Record<symbol, Destination>)[pino.symbols.streamSym]!), enabled), reopen: () => {} };
  const destination: DestinationStream & Destination = batchedDestination(file);
  destination.on('error', (error: Error) => logger.error({ err: error, file }, 'access log file cannot be written'));
  return { line: new AccessLine(new LineBatch(destination), enabled), reopen: () => destination.reopen() };
}

/**
 * log.accessFile must be a file this process can append to, or one it can create (folders too): checked at start
 * and by `gateway check`, which creates nothing.
 */
export function checkAccessFile(file: string | undefined): void {
  if (file === undefined) return;
  let path = resolve(file);
  try {
    // The file itself, or else the nearest folder that exists: the rest is made at start.
    while (!existsSync(path)) path = dirname(path);
    if (path !== resolve(file) && !statSync(path).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
    accessSync(path, constants.W_OK);
  } catch (error) {
    throw new ConfigError(`log.accessFile: cannot append to ${JSON.stringify(file)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}
