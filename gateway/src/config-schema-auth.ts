// Configuration of a route's authentication (`routes[].auth`): API keys held only as SHA-256 hashes, or JWT
// bearer tokens verified against a JWKS URL, public key files or an HS256 secret file. Key files are read here,
// at load, so a missing or unparsable one fails `gateway check`, start and reload with the key named.
import { z } from 'zod';
import { KeyFileError, readJsonFile, readJwtKeyFiles, readSecretFile } from './edge/auth/key-files.js';

export const DEFAULT_API_KEY_HEADER = 'x-api-key';
/** Envoy's default too: clocks of issuer and gateway may disagree by this much on exp and nbf. */
export const DEFAULT_CLOCK_SKEW_SECONDS = 60;
/** jose's defaults: a JWKS is refetched for an unknown kid at most once per cooldown, and always after maxAge. */
export const DEFAULT_JWKS_COOLDOWN_MS = 30_000;
export const DEFAULT_JWKS_CACHE_MAX_AGE_MS = 600_000;
export const DEFAULT_JWKS_TIMEOUT_MS = 5_000;
export const JWT_ALGORITHMS = ['RS256', 'ES256', 'EdDSA', 'HS256'] as const;
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.number({ invalid_type_error: 'is not a number' }).int('is not an integer').min(min, `is not an integer >= ${min}`).max(max, `is not an integer <= ${max}`);
const text = z.string({ invalid_type_error: 'is not a string' }).min(1, 'is empty');
const headerName = z.string({ invalid_type_error: 'is not a string' }).regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'is not a header name');
/** The gateway owns the X-Auth- prefix: it strips every client-sent X-Auth-* header on every route. */
const identityHeader = z.string({ invalid_type_error: 'is not a string' }).regex(/^x-auth-[a-z0-9-]+$/i, 'is not a header named X-Auth-*').refine((name) => name.toLowerCase() !== 'x-auth-subject', 'is X-Auth-Subject, which always carries the subject');
const oneOrMore = z.union([text, z.array(text).min(1, 'is empty')], { errorMap: () => ({ message: 'is neither a string nor a list of strings' }) });
const claimValue = z.union([z.string(), z.number(), z.boolean()]);

export const apiKeyEntry = z
  .object({
    name: z.string({ invalid_type_error: 'is not a string' }).regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/, 'is not a name of 1-64 letters, digits, "_", ".", "@" or "-"'),
    sha256: z.string({ invalid_type_error: 'is not a string' }).regex(/^[0-9a-fA-F]{64}$/, 'is not a SHA-256 hash (64 hex digits)'),
  })
  .strict();
export const apiKeyList = z.array(apiKeyEntry, { invalid_type_error: 'is not a list of {name, sha256}' }).min(1, 'is empty');
export type ApiKeyEntry = z.infer<typeof apiKeyEntry>;

const apiKeySchema = z
  .object({
    /** Where the client sends its key; default x-api-key unless query is set. */
    header: headerName.optional(),
    query: text.optional(),
    keys: apiKeyList.optional(),
    /** A JSON file of [{name, sha256}], read at load and on every reload. */
    keysFile: text.optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path], message });
    if (config.header !== undefined && config.query !== undefined) issue('query', 'is set together with header; the key comes from one of them');
    if ((config.keys === undefined) === (config.keysFile === undefined)) return issue('keys', 'is required (or keysFile), and not both');
    const keys = config.keys ?? tryRead(() => apiKeysFromFile(config.keysFile!), (message) => issue('keysFile', message));
    const seen = new Set<string>();
    keys?.forEach((key, index) => {
      const hash = key.sha256.toLowerCase();
      if (seen.has(key.name) || seen.has(hash)) issue(config.keys ? 'keys' : 'keysFile', `repeats the name or hash of entry ${index} (${key.name}); each key has its own`);
      seen.add(key.name).add(hash);
    });
  });

const jwtSchema = z
  .object({
    jwksUrl: z.string({ invalid_type_error: 'is not a string' }).refine((value) => URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol), 'is not an http(s) URL').optional(),
    jwksCooldownMs: int(0).default(DEFAULT_JWKS_COOLDOWN_MS),
    jwksCacheMaxAgeMs: int(0).default(DEFAULT_JWKS_CACHE_MAX_AGE_MS),
    jwksTimeoutMs: int(1).default(DEFAULT_JWKS_TIMEOUT_MS),
    /** Public keys: PEM (SPKI or certificate; its kid is the file name without extension) or JWK / JWKS JSON. */
    keyFiles: z.array(text, { invalid_type_error: 'is not a list of file paths' }).min(1, 'is empty').optional(),
    /** HS256 only: the shared secret's bytes (a trailing newline dropped), at least 32 of them. */
    secretFile: text.optional(),
    algorithms: z.array(z.enum(JWT_ALGORITHMS, { errorMap: () => ({ message: `is not one of ${JWT_ALGORITHMS.join(', ')}` }) }), { invalid_type_error: 'is not a list of algorithms' }).min(1, 'is empty').optional(),
    issuer: oneOrMore.optional(),
    audience: oneOrMore.optional(),
    clockSkewSeconds: int(0, 3_600).default(DEFAULT_CLOCK_SKEW_SECONDS),
    /** claim -> the value it must have, or a list of accepted values; an array claim must contain one of them. */
    requiredClaims: z.record(z.union([claimValue, z.array(claimValue).min(1, 'is empty')], { errorMap: () => ({ message: 'is not a value or a list of values' }) }), { invalid_type_error: 'is not an object of claims' }).optional(),
    /** claim -> the X-Auth-* header that carries it to the backend. */
    forwardClaims: z.record(identityHeader, { invalid_type_error: 'is not an object of claim: header' }).optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path], message });
    const sources = (['jwksUrl', 'keyFiles', 'secretFile'] as const).filter((key) => config[key] !== undefined);
    if (sources.length !== 1) return issue('jwksUrl', sources.length === 0 ? 'is required (or keyFiles, or secretFile): the jwt section has no key source' : `is one of ${sources.join(', ')}; set only one key source`);
    const symmetric = config.secretFile !== undefined;
    // A public key must never verify an HS256 token (it would be used as the HMAC secret), nor a secret an RS256 one.
    const wrong = config.algorithms?.find((alg) => (alg === 'HS256') !== symmetric);
    if (wrong !== undefined) issue('algorithms', `has ${wrong}, which ${symmetric ? 'secretFile' : sources[0]} cannot verify (${symmetric ? 'HS256 only' : ASYMMETRIC_ALGORITHMS.join(', ')})`);
    if (config.keyFiles) tryRead(() => readJwtKeyFiles(config.keyFiles!), (message, index) => ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['keyFiles', index ?? 0], message }));
    if (symmetric) tryRead(() => readSecretFile(config.secretFile!), (message) => issue('secretFile', message));
  });

export const authSchema = z
  .object({ apiKey: apiKeySchema.optional(), jwt: jwtSchema.optional() })
  .strict()
  .refine((auth) => (auth.apiKey === undefined) !== (auth.jwt === undefined), 'needs exactly one of apiKey or jwt');

export type AuthConfig = z.infer<typeof authSchema>;
export type ApiKeyConfig = NonNullable<AuthConfig['apiKey']>;
export type JwtConfig = NonNullable<AuthConfig['jwt']>;

/** The entries of an apiKey.keysFile, checked against the same schema as inline keys. */
export function apiKeysFromFile(path: string): ApiKeyEntry[] {
  const parsed = apiKeyList.safeParse(readJsonFile(path));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length > 0 ? `entry ${issue.path.join('.')}` : 'the file';
  throw new KeyFileError(`holds a bad key list: ${where} ${issue.message}`);
}

function tryRead<T>(read: () => T, report: (message: string, index?: number) => void): T | undefined {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof KeyFileError)) throw error;
    report(error.message, error.index);
    return undefined;
  }
}

/** Across keys: a rate limit keyed on the identity needs the matching authentication on its route. */
export function checkAuthKeyedLimit(route: { auth?: AuthConfig | undefined; rateLimit?: { key: string } | undefined }, issue: (message: string) => void): void {
  const key = route.rateLimit?.key;
  if (key === 'api-key' && route.auth?.apiKey === undefined) issue('needs auth.apiKey on the route');
  if (key?.startsWith('claim:') && route.auth?.jwt === undefined) issue('needs auth.jwt on the route');
}
