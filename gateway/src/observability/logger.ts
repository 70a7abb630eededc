// The process logger: pino JSON lines to stdout through an asynchronous destination, so logging never
// blocks the event loop. `npm start` pretty-prints these lines in the launcher, not here.
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

export function createLogger(level: string, name = 'gateway'): Logger {
  const destination = pino.destination({ dest: 1, sync: false });
  const logger = pino({ name, level, base: { pid: process.pid } }, destination);
  // Buffered lines must reach stdout before the process exits.
  process.once('exit', () => destination.flushSync());
  return logger;
}
