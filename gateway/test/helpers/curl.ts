// curl itself as the client: one invocation fetches the URL `count` times over one kept-alive connection and
// reports, per request, the status, the total time and the backend that answered (x-backend-id).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CurlResult {
  status: number;
  ms: number;
  backend: string;
}

export async function curlTimes(url: string, count: number, extraArgs: string[] = []): Promise<CurlResult[]> {
  // -o applies to one URL: each gets its own, so only the -w lines reach stdout.
  const urls = Array.from({ length: count }, () => [url, '-o', '/dev/null']).flat();
  const { stdout } = await run('curl', ['-s', '--max-time', '60', ...extraArgs, '-w', '%{http_code} %{time_total} %header{x-backend-id}\\n', ...urls], { maxBuffer: 1024 * 1024 });
  return stdout.trim().split('\n').map((line) => {
    const [status, seconds, backend] = line.split(' ');
    return { status: Number(status), ms: Number(seconds) * 1000, backend: backend ?? '' };
  });
}

export interface CurlAnswer {
  status: number;
  ms: number;
  /** The Retry-After header, '' when absent. */
  retryAfter: string;
  body: string;
}

/** One request on its own curl process (and connection), so several can run at once. */
export async function curlOnce(url: string, extraArgs: string[] = []): Promise<CurlAnswer> {
  const { stdout } = await run('curl', ['-s', '--max-time', '30', ...extraArgs, '-w', '\\n%{http_code} %{time_total} %header{retry-after}', url], { maxBuffer: 1024 * 1024 });
  const cut = stdout.lastIndexOf('\n');
  const [status, seconds, retryAfter] = stdout.slice(cut + 1).split(' ');
  return { status: Number(status), ms: Number(seconds) * 1000, retryAfter: retryAfter ?? '', body: stdout.slice(0, cut) };
}
