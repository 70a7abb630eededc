// Reads the files a route's authentication names: API key lists (JSON), JWT public keys (PEM or JWK/JWKS, parsed
// by node:crypto) and HS256 secrets. Synchronous, at config load: a bad file fails the load naming the key.
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';

/** RFC 7518 §3.2: an HS256 key has at least as many bits as the hash, 256. */
const MIN_SECRET_BYTES = 32;

/** A key file that cannot be used; the message follows the file's path in the config error. index: which of keyFiles. */
export class KeyFileError extends Error {
  constructor(message: string, readonly index?: number) {
    super(message);
  }
}

function read(path: string, index?: number): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new KeyFileError(`cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, index);
  }
}

function parseJson(path: string, index?: number): unknown {
  try {
    return JSON.parse(read(path, index).toString('utf8')) as unknown;
  } catch (error) {
    if (error instanceof KeyFileError) throw error;
    throw new KeyFileError(`is not valid JSON (${(error as Error).message})`, index);
  }
}

export function readJsonFile(path: string): unknown {
  return parseJson(path);
}

/**
 * The public keys of jwt.keyFiles as one JWK set for jose's createLocalJWKSet. A JWK keeps its kid; a PEM key
 * (SPKI or a certificate) gets its file name without extension as kid, so tokens can name it.
 */
export function readJwtKeyFiles(paths: readonly string[]): JsonWebKey[] {
  return paths.flatMap((path, index) => {
    const content = read(path, index);
    const isJson = content.toString('utf8').trimStart().startsWith('{');
    const sources: { key: JsonWebKey | Buffer; kid: string | undefined; alg: unknown }[] = [];
    if (isJson) {
      const json = parseJson(path, index) as { keys?: unknown };
      const jwks = Array.isArray(json.keys) ? (json.keys as JsonWebKey[]) : [json as JsonWebKey];
      for (const jwk of jwks) sources.push({ key: jwk, kid: typeof jwk.kid === 'string' ? jwk.kid : undefined, alg: jwk.alg });
    } else {
      sources.push({ key: content, kid: basename(path, extname(path)), alg: undefined });
    }
    return sources.map(({ key, kid, alg }) => {
      try {
        const publicKey = Buffer.isBuffer(key) ? createPublicKey(key) : createPublicKey({ key, format: 'jwk' });
        const jwk: JsonWebKey = publicKey.export({ format: 'jwk' });
        if (kid !== undefined) jwk.kid = kid;
        if (typeof alg === 'string') jwk.alg = alg;
        return jwk;
      } catch (error) {
        throw new KeyFileError(`is not a public key in PEM or JWK (${(error as Error).message})`, index);
      }
    });
  });
}

/** The HS256 secret: the file's bytes without a trailing newline (what `echo` or an editor adds). */
export function readSecretFile(path: string): Uint8Array {
  let secret = read(path);
  if (secret.at(-1) === 0x0a) secret = secret.subarray(0, secret.at(-2) === 0x0d ? -2 : -1);
  if (secret.length < MIN_SECRET_BYTES) throw new KeyFileError(`holds ${secret.length} bytes; an HS256 secret needs at least ${MIN_SECRET_BYTES} (RFC 7518 §3.2)`);
  return secret;
}
