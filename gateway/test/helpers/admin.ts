// Calls to a gateway's admin API as an operator or a backend makes them, plus reading its audit file.
import { readFile } from 'node:fs/promises';

export const TEST_TOKEN = 'test-admin-token-0123456789';

export interface AdminResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export interface AdminCall {
  token?: string;
  /** Sent as JSON unless it is a string (sent as is, with contentType). */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export async function adminCall(adminUrl: string, method: string, path: string, call: AdminCall = {}): Promise<AdminResponse> {
  const headers: Record<string, string> = { ...call.headers };
  if (call.token !== undefined) headers.authorization = `Bearer ${call.token}`;
  let body: string | undefined;
  if (call.body !== undefined) {
    body = typeof call.body === 'string' ? call.body : JSON.stringify(call.body);
    headers['content-type'] = call.contentType ?? 'application/json';
  }
  const response = await fetch(adminUrl + path, { method, headers, body, signal: AbortSignal.timeout(5_000) });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    parsed = { text };
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

export interface PoolEntryView {
  id: string;
  url: string;
  state: string;
  why: string;
  source: string;
  weight: number;
  inFlight: number;
  [key: string]: unknown;
}

export async function pool(adminUrl: string): Promise<PoolEntryView[]> {
  return (await adminCall(adminUrl, 'GET', '/pool')).body.backends as PoolEntryView[];
}

/** Every record of a JSON-lines audit file (empty when it does not exist yet). */
export async function readAudit(file: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * Probe timing for tests about membership rather than health flips: the helper's 80 ms probe timeout can fail
 * twice in a row on a busy 2-core machine and flip a healthy backend down mid-test.
 */
export const STEADY_HEALTH = { intervalMs: 300, timeoutMs: 250 };
