// A minimal server-sent-events reader over undici, for tests of GET /events: collects parsed events as they come.
import { request } from 'undici';

export interface SseEvent {
  event: string;
  id: string | undefined;
  data: string;
}

export interface SseStream {
  events: SseEvent[];
  status: number;
  contentType: string;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const controller = new AbortController();
  const response = await request(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const events: SseEvent[] = [];
  let buffer = '';
  response.body.setEncoding('utf8');
  response.body.on('data', (chunk: string) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields = { event: 'message', id: undefined as string | undefined, data: [] as string[] };
      for (const line of frame.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const [name, value] = colon < 0 ? [line, ''] : [line.slice(0, colon), line.slice(colon + 1).replace(/^ /, '')];
        if (name === 'event') fields.event = value;
        else if (name === 'id') fields.id = value;
        else if (name === 'data') fields.data.push(value);
      }
      if (fields.data.length > 0) events.push({ event: fields.event, id: fields.id, data: fields.data.join('\n') });
    }
  });
  response.body.on('error', () => {}); // aborted by close()
  return {
    events,
    status: response.statusCode,
    contentType: String(response.headers['content-type']),
    close: () => controller.abort(),
  };
}
