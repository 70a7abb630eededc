// The access line: one JSON line per request, the same fields pino wrote (level, time, pid, name, component,
// the request's fields, msg), built by hand from pre-joined constant parts and appended to the batched
// destination. pino's generic serializer walked a fresh object per line and was the access log's main CPU cost
// (--cpu-prof under wrk); here only the request's own values are formatted.
import type { IncomingMessage } from 'node:http';
import type { DestinationStream } from 'pino';

/** What the proxy knows of a finished request (a ForwardResult, or the gateway's own refusal). */
export interface AccessOutcome {
  status: number;
  tries: number;
  /** Milliseconds from the last try's dispatch to its response headers. */
  upstreamMs?: number | undefined;
  member?: { readonly id: string } | undefined;
  error?: { readonly code: string } | undefined;
  /** The transport error behind `error`, never sent to the client. */
  cause?: string | undefined;
}

/** Printable ASCII without `"` and `\`: such a string is its own JSON text between quotes, the usual case. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function quoted(value: string): string {
  return PLAIN.test(value) ? `"${value}"` : JSON.stringify(value);
}

/** Milliseconds to the microsecond, as the line has always given them. */
function ms(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export class AccessLine {
  /** After "time": the process's constant fields, joined once. */
  private readonly bindings: string;

  /** enabled: the log level lets info lines through (pino dropped access lines below it, so does this). */
  constructor(
    private readonly destination: DestinationStream,
    private readonly enabled: boolean,
  ) {
    this.bindings = `,"pid":${process.pid},"name":"gateway","component":"access","method":`;
  }

  write(req: IncomingMessage, route: string | undefined, durationMs: number, requestId: string, outcome: AccessOutcome, subject: string | undefined): void {
    if (!this.enabled) return;
    let line = `{"level":30,"time":${Date.now()}${this.bindings}${quoted(req.method!)},"path":${quoted(req.url!)}`;
    if (route !== undefined) line += `,"route":${quoted(route)}`;
    line += `,"status":${outcome.status}`;
    if (outcome.member !== undefined) line += `,"backend":${quoted(outcome.member.id)}`;
    line += `,"tries":${outcome.tries},"durationMs":${ms(durationMs)}`;
    if (outcome.upstreamMs !== undefined) line += `,"upstreamMs":${ms(outcome.upstreamMs)}`;
    line += `,"requestId":${quoted(requestId)}`;
    const client = req.socket.remoteAddress;
    if (client !== undefined) line += `,"client":${quoted(client)}`;
    if (subject !== undefined) line += `,"subject":${quoted(subject)}`;
    if (outcome.error !== undefined) line += `,"error":${quoted(outcome.error.code)}`;
    if (outcome.cause !== undefined) line += `,"cause":${quoted(outcome.cause)}`;
    this.destination.write(`${line},"msg":"request"}\n`);
  }
}
