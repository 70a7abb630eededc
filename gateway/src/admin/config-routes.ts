// POST /config/reload (admin token; the same as SIGHUP): re-reads the config file and applies its pools and
// routes. 200 with a one-line summary of what changed, or 400 naming the key at fault — the running config stays.
import type { AdminPlugin } from './admin-app.js';
import { sendAdminError } from './admin-errors.js';

export const configRoutes: AdminPlugin = async (app, context) => {
  app.post('/config/reload', { preHandler: context.requireToken }, async (request, reply) => {
    const result = context.reload(request.ip);
    if (!result.ok) return sendAdminError(reply, 400, 'invalid_config', result.error);
    return { reloaded: true, summary: result.summary, pools: result.diff, needsRestart: result.needsRestart };
  });
};
