// The README's configuration table names every key the schema accepts, with its environment variable,
// so the reference cannot silently fall behind the code.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { ENV_KEYS } from '../src/config.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

t.test('every configuration key and variable is in the README table', async (t) => {
  for (const key of ENV_KEYS) {
    t.match(readme, `| \`${key.path.join('.')}\` |`, `${key.path.join('.')} has a row`);
    t.match(readme, `\`${key.env}\``, `${key.env} is named`);
  }
});
