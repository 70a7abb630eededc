// GET / (the dashboard page), its script and stylesheet, and GET /dashboard.json, the snapshot the page polls.
// The page is plain HTML, CSS and JS read from the source tree once at start-up: nothing to build.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { PACKAGE_ROOT } from '../package-info.js';
import { buildSnapshot, type SnapshotSources } from './snapshot.js';

/** The same directory whether the gateway runs from gateway/src (tests) or dist (users). */
export const DASHBOARD_DIR = join(PACKAGE_ROOT, 'gateway', 'src', 'observability', 'dashboard', 'static');

const FILES = [
  { url: '/', file: 'index.html', type: 'text/html; charset=utf-8' },
  { url: '/dashboard.js', file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
  { url: '/backend-rows.js', file: 'backend-rows.js', type: 'text/javascript; charset=utf-8' },
  { url: '/routes-view.js', file: 'routes-view.js', type: 'text/javascript; charset=utf-8' },
  { url: '/dashboard.css', file: 'dashboard.css', type: 'text/css; charset=utf-8' },
];

/** Same-origin only: the page talks to this listener and nothing else, and cannot be framed. */
const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export async function dashboardPlugin(app: FastifyInstance, sources: SnapshotSources): Promise<void> {
  for (const { url, file, type } of FILES) {
    const body = readFileSync(join(DASHBOARD_DIR, file));
    app.get(url, async (_request, reply) => {
      reply.header('content-type', type).header('cache-control', 'no-cache').header('content-security-policy', CONTENT_SECURITY_POLICY);
      return body;
    });
  }

  app.get('/dashboard.json', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return buildSnapshot(sources);
  });
}
