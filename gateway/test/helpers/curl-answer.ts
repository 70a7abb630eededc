// One request with curl, as a user makes it: the status, the WWW-Authenticate challenge and the body (JSON when
// it parses), for tests of what the gateway answers by itself.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CurlAnswer {
  status: number;
  challenge: string;
  body: Record<string, unknown>;
}

export async function curlAnswer(url: string, args: string[] = []): Promise<CurlAnswer> {
  const { stdout } = await run('curl', ['-s', '--max-time', '15', ...args, '-w', '\n%{http_code}\n%header{www-authenticate}', url]);
  const lines = stdout.split('\n');
  const challenge = lines.pop()!;
  const status = Number(lines.pop());
  const text = lines.join('\n');
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status, challenge, body };
}

/** The backend's echo: what it was sent (see echoBackend). */
export interface Echo {
  url: string;
  headers: Record<string, string>;
}
