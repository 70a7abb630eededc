// Reloading a route's API keys file: a new key list applies on reload (the new key admitted, the dropped one
// refused); a file that became unreadable fails the reload naming the key, and the old keys keep working.
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { adminCall, TEST_TOKEN } from './helpers/admin.js';
import { startCountingServer } from './helpers/counting-server.js';
import { curlAnswer } from './helpers/curl-answer.js';
import { startGateway } from './helpers/gateway.js';
import { scratchDir } from './helpers/scratch-dir.js';

const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');

t.test('keys file reloads', async (t) => {
  const backend = await startCountingServer((_req, res) => res.end('ok'));
  const keysFile = join(scratchDir('reload-keys'), 'keys.json');
  writeFileSync(keysFile, JSON.stringify([{ name: 'old', sha256: sha256('old-key-1') }]));
  const gw = await startGateway({
    admin: { host: '127.0.0.1', port: 0, token: TEST_TOKEN },
    backends: [backend.url],
    healthCheck: { enabled: false },
    routes: [{ name: 'api', match: {}, pool: 'default', auth: { apiKey: { keysFile } } }],
  });
  t.teardown(async () => {
    await gw.close();
    await backend.close();
  });
  const status = async (key: string) => (await curlAnswer(`${gw.url}/x`, ['-H', `X-Api-Key: ${key}`])).status;
  t.equal(await status('old-key-1'), 200);

  rmSync(keysFile);
  const failed = await adminCall(gw.adminUrl, 'POST', '/config/reload', { token: TEST_TOKEN });
  t.equal(failed.status, 400, 'the keys file gone: the reload is refused');
  t.match(failed.body, { message: `routes.0.auth.apiKey.keysFile: "${keysFile}" cannot be read (ENOENT)` });
  t.equal(await status('old-key-1'), 200, 'the old keys keep working');

  writeFileSync(keysFile, JSON.stringify([{ name: 'new', sha256: sha256('new-key-1') }]));
  t.equal((await adminCall(gw.adminUrl, 'POST', '/config/reload', { token: TEST_TOKEN })).status, 200, 'a new list: reloaded');
  t.equal(await status('new-key-1'), 200, 'the new key is admitted');
  t.equal(await status('old-key-1'), 401, 'the dropped key is refused');
});
