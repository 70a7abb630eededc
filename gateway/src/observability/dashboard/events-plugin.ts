// GET /events: server-sent events of backend state changes, for the dashboard's live feed (or `curl -N`).
// A client that reconnects sends Last-Event-ID and gets only what it missed from the kept history.
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { EventFeed, StateEvent } from '../event-feed.js';

export interface EventsPluginOptions {
  events: EventFeed;
  /** A comment line this often keeps idle proxies and load balancers from closing the stream. */
  keepAliveMs?: number;
}

const DEFAULT_KEEP_ALIVE_MS = 15_000;
/** EventSource waits this long before reconnecting after the stream drops. */
const RECONNECT_MS = 2_000;

export async function eventsPlugin(app: FastifyInstance, options: EventsPluginOptions): Promise<void> {
  const { events, keepAliveMs = DEFAULT_KEEP_ALIVE_MS } = options;
  const open = new Set<ServerResponse>();

  app.get('/events', (request, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // nginx would otherwise buffer the stream and the page would see events late.
      'x-accel-buffering': 'no',
    });
    const send = (event: StateEvent) => res.write(`event: state\nid: ${event.id}\ndata: ${JSON.stringify(event)}\n\n`);
    res.write(`retry: ${RECONNECT_MS}\n\n`);
    const lastId = Number(request.headers['last-event-id']);
    for (const event of events.since(Number.isInteger(lastId) ? lastId : 0)) send(event);
    const unsubscribe = events.subscribe(send);
    const ping = setInterval(() => res.write(': ping\n\n'), keepAliveMs);
    ping.unref();
    open.add(res);
    res.once('close', () => {
      unsubscribe();
      clearInterval(ping);
      open.delete(res);
    });
  });

  // An open stream is never idle, so the listener would wait for it forever when closing.
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });
}
