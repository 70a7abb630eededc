// One request through a proxy, reduced to what the conformance suite compares: status, body, which backend
// answered and how long it took. Transport errors become status 0, so a bounded loop can count them as failures.
import { request } from 'undici';

export interface TimedResponse {
  status: number;
  body: string;
  backend: string | undefined;
  ms: number;
}

export interface TimedRequestOptions {
  method?: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
}

/** Client-side ceiling: every proxy in the suite answers or gives up well within this. */
const CLIENT_TIMEOUT_MS = 15_000;

export async function timedRequest(url: string, options: TimedRequestOptions = {}): Promise<TimedResponse> {
  const started = performance.now();
  try {
    const response = await request(url, {
      method: options.method ?? 'GET',
      body: options.body,
      headers: options.headers,
      headersTimeout: CLIENT_TIMEOUT_MS,
      bodyTimeout: CLIENT_TIMEOUT_MS,
    });
    const body = await response.body.text();
    const backend = response.headers['x-backend-id'];
    return { status: response.statusCode, body, backend: typeof backend === 'string' ? backend : undefined, ms: performance.now() - started };
  } catch {
    return { status: 0, body: '', backend: undefined, ms: performance.now() - started };
  }
}

/** Sends count requests one after another and returns every response. */
export async function timedRequests(count: number, url: string, options: TimedRequestOptions = {}): Promise<TimedResponse[]> {
  const responses: TimedResponse[] = [];
  for (let i = 0; i < count; i++) responses.push(await timedRequest(url, options));
  return responses;
}

/** Responses grouped by status, e.g. { 200: 28, 502: 2 }, for messages a reader can act on. */
export function statusCounts(responses: readonly TimedResponse[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const response of responses) counts[response.status] = (counts[response.status] ?? 0) + 1;
  return counts;
}
