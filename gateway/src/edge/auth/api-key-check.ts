// API-key authentication: the key comes in a header (default x-api-key) or a query parameter; the config holds
// only its SHA-256 hash. The presented key is hashed and compared with every configured hash in constant time,
// so neither the match nor its position in the list shows in the answer's timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { apiKeysFromFile, DEFAULT_API_KEY_HEADER, type ApiKeyConfig } from '../../config-schema-auth.js';
import { headerValue } from '../../routes/route-match.js';
import { MISSING, SUBJECT_HEADER, type AuthFailure, type Identity } from './identity.js';

const INVALID: AuthFailure = Object.freeze({ reason: 'invalid', detail: 'no configured key has this hash' });

interface KnownKey {
  hash: Buffer;
  identity: Identity;
}

export class ApiKeyCheck {
  /** The lower-case header the key comes in; undefined when it comes in the query. */
  readonly header: string | undefined;
  readonly query: string | undefined;
  private readonly keys: KnownKey[];

  constructor(config: ApiKeyConfig) {
    this.query = config.query;
    this.header = this.query === undefined ? (config.header ?? DEFAULT_API_KEY_HEADER).toLowerCase() : undefined;
    this.keys = (config.keys ?? apiKeysFromFile(config.keysFile!)).map(({ name, sha256 }) => ({
      hash: Buffer.from(sha256, 'hex'),
      identity: Object.freeze({ subject: name, keyName: name, headers: Object.freeze([SUBJECT_HEADER, name]) }),
    }));
  }

  check(req: IncomingMessage): Identity | AuthFailure {
    const key = this.header === undefined ? queryValue(req.url!, this.query!) : headerValue(req, this.header);
    if (key === undefined || key === '') return MISSING;
    const digest = createHash('sha256').update(key).digest();
    let found: Identity | undefined;
    // No early exit: every hash is compared whether or not one already matched.
    for (const known of this.keys) if (timingSafeEqual(known.hash, digest) && found === undefined) found = known.identity;
    return found ?? INVALID;
  }

  /** The path the backend sees when the key came in the query: the same without that parameter. */
  withoutKey(path: string): string {
    if (this.query === undefined) return path;
    const at = path.indexOf('?');
    if (at === -1) return path;
    const params = new URLSearchParams(path.slice(at + 1));
    params.delete(this.query);
    const rest = params.toString();
    return rest === '' ? path.slice(0, at) : `${path.slice(0, at)}?${rest}`;
  }
}

function queryValue(url: string, name: string): string | undefined {
  const at = url.indexOf('?');
  return at === -1 ? undefined : (new URLSearchParams(url.slice(at + 1)).get(name) ?? undefined);
}
