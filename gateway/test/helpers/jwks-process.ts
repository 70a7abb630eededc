// Starts jwks-server.mjs as a child process serving a JWKS file the test writes, and signs tokens with the
// test's own keys (jose): RS256, ES256 and EdDSA key pairs with a kid, and HS256 secrets.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { scratchDir } from './scratch-dir.js';

const SERVER = fileURLToPath(new URL('./jwks-server.mjs', import.meta.url));

export interface JwksProcess {
  url: string;
  /** JWKS responses served so far. */
  readonly fetches: number;
  /** Rewrites the served set: the next fetch returns these keys. */
  publish(keys: readonly SigningKey[]): void;
  close(): Promise<void>;
}

export async function startJwksServer(keys: readonly SigningKey[], port = 0): Promise<JwksProcess> {
  const file = join(scratchDir('jwks'), 'jwks.json');
  const publish = (set: readonly SigningKey[]) => writeFileSync(file, JSON.stringify({ keys: set.map((key) => key.publicJwk) }));
  publish(keys);
  const child = spawn(process.execPath, [SERVER, file, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let fetches = 0;
  const listening = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line === 'fetch') fetches += 1;
      const match = /^listening (\d+)$/.exec(line);
      if (match) resolve(Number(match[1]));
    });
    void exited.then(() => reject(new Error('the JWKS server exited before listening')));
  });
  return {
    url: `http://127.0.0.1:${listening}/jwks.json`,
    get fetches() {
      return fetches;
    },
    publish,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface SigningKey {
  alg: 'RS256' | 'ES256' | 'EdDSA';
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function signingKey(alg: SigningKey['alg'], kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** claims plus iat; exp/nbf as seconds from now when given (negative: in the past). */
export async function signToken(key: SigningKey | { alg: 'HS256'; secret: Uint8Array }, claims: JWTPayload, times: { expIn?: number; nbfIn?: number } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ ...claims }).setIssuedAt(now);
  if (times.expIn !== undefined) jwt.setExpirationTime(now + times.expIn);
  if (times.nbfIn !== undefined) jwt.setNotBefore(now + times.nbfIn);
  if ('secret' in key) return jwt.setProtectedHeader({ alg: 'HS256' }).sign(key.secret);
  return jwt.setProtectedHeader({ alg: key.alg, kid: key.kid }).sign(key.privateKey);
}
