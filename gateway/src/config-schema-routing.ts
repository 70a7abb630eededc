// Configuration sections for many services behind one gateway: named upstream pools (each with its own
// backends, health, retry and balancing policy; unset keys take the top-level ones) and an ordered route table
// (first match wins) that sends each request to a pool or a weighted split of pools.
import { z } from 'zod';
import { authSchema, checkAuthKeyedLimit } from './config-schema-auth.js';
import { concurrencySection } from './config-schema-overload.js';
import { upstreamPoolKeys } from './config-schema-upstream.js';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.number({ invalid_type_error: 'is not a number' }).int('is not an integer').min(min, `is not an integer >= ${min}`).max(max, `is not an integer <= ${max}`);

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const name = z.string({ invalid_type_error: 'is not a string' }).regex(NAME, 'is not a name of 1-64 letters, digits, "_" or "-"');

export const BALANCING_POLICIES = ['round-robin', 'least-outstanding', 'consistent-hash'] as const;

/** What consistent hashing keys on: the path, the client's IP, a request header or a cookie. */
const hashOn = z.string().regex(/^(?:path|client-ip|header:[A-Za-z0-9!#$%&'*+.^_`|~-]+|cookie:[A-Za-z0-9!#$%&'*+.^_`|~-]+)$/, 'is not "path", "client-ip", "header:NAME" or "cookie:NAME"');

/** `example.com`, `api.example.com` or `*.example.com` (any subdomain); compared without port, case-insensitively. */
const hostPattern = z.string().regex(/^(?:\*\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*$/, 'is not a host name or *.domain pattern');

const path = z.string({ invalid_type_error: 'is not a string' }).startsWith('/', 'is not a path starting with "/"');

/** A header matcher: the exact value, or a regular expression the value must match. */
const headerMatch = z.union([z.string(), z.object({ regex: z.string() }).strict()], { errorMap: () => ({ message: 'is neither a string nor {regex}' }) });

/**
 * A route's rate limit: `burst` requests at once, `rate` per second over time, counted per key (the client's
 * address, a request header's value, or the identity the route's auth found: the API key's name or a JWT claim). store "redis" shares the count among gateways; redisDown says what
 * happens while Redis cannot be reached: failOpen counts locally instead, failClosed answers 503.
 */
const rateLimitSchema = z
  .object({
    rate: z.number({ invalid_type_error: 'is not a number' }).positive('is not a number > 0'),
    burst: int(1).optional(),
    key: z.string().regex(/^(?:client-ip|api-key|header:[A-Za-z0-9!#$%&'*+.^_`|~-]+|claim:[A-Za-z0-9_.:/-]+)$/, 'is not "client-ip", "header:NAME", "api-key" or "claim:NAME"').default('client-ip'),
    store: z.enum(['local', 'redis'], { errorMap: () => ({ message: 'is not "local" or "redis"' }) }).default('local'),
    redisDown: z.enum(['failOpen', 'failClosed'], { errorMap: () => ({ message: 'is not "failOpen" or "failClosed"' }) }).default('failOpen'),
  })
  .strict();

export type RateLimitConfig = z.infer<typeof rateLimitSchema>;

const routeSchema = z
  .object({
    name,
    match: z
      .object({
        hosts: z.array(hostPattern, { invalid_type_error: 'is not a list of hosts' }).min(1, 'is empty').optional(),
        pathPrefix: path.optional(),
        path: path.optional(),
        methods: z.array(z.string().regex(/^[A-Z]+$/, 'is not an upper-case HTTP method'), { invalid_type_error: 'is not a list of methods' }).min(1, 'is empty').optional(),
        headers: z.record(headerMatch, { invalid_type_error: 'is not an object of header matchers' }).optional(),
      })
      .strict()
      .default({}),
    pool: name.optional(),
    split: z.array(z.object({ pool: name, weight: int(0, 10_000) }).strict(), { invalid_type_error: 'is not a list of {pool, weight}' }).min(1, 'is empty').optional(),
    /** Keeps one user on one side of a split: the same cookie or header value always lands in the same pool. */
    sticky: z.union([z.object({ cookie: z.string().min(1) }).strict(), z.object({ header: z.string().min(1) }).strict()], { errorMap: () => ({ message: 'is neither {cookie: NAME} nor {header: NAME}' }) }).optional(),
    /** Removes match.pathPrefix from the path sent to the backend (`/api/users` → `/users`). */
    stripPrefix: z.boolean({ invalid_type_error: 'is not true or false' }).default(false),
    rateLimit: rateLimitSchema.optional(),
    auth: authSchema.optional(),
  })
  .strict();

export type RouteConfig = z.infer<typeof routeSchema>;

/** The section schemas a pool may override; passed in by config-schema.ts, which owns them. */
export interface OverridableSections<B extends z.ZodTypeAny, H extends z.AnyZodObject, P extends z.AnyZodObject, R extends z.AnyZodObject> {
  backends: B;
  healthCheck: H;
  passiveHealth: P;
  retry: R;
}

export function routingSections<B extends z.ZodTypeAny, H extends z.AnyZodObject, P extends z.AnyZodObject, R extends z.AnyZodObject>(sections: OverridableSections<B, H, P, R>) {
  const poolSchema = z
    .object({
      backends: sections.backends,
      /** DNS names (as in dns.names) whose records are members of this pool. */
      dnsNames: z.array(z.string(), { invalid_type_error: 'is not a list of DNS names' }).default([]),
      policy: z.enum(BALANCING_POLICIES, { errorMap: () => ({ message: `is not one of ${BALANCING_POLICIES.join(', ')}` }) }).default('round-robin'),
      hashOn: hashOn.optional(),
      // Each of these keeps only the keys it names; the rest come from the top-level section.
      healthCheck: sections.healthCheck.partial().strict().optional(),
      passiveHealth: sections.passiveHealth.partial().strict().optional(),
      retry: sections.retry.partial().strict().optional(),
      // protocol, streamsPerConnection, tls, grpc: how the gateway talks to this pool's backends.
      ...upstreamPoolKeys,
      concurrency: concurrencySection.partial().strict().optional(),
    })
    .strict();
  return {
    pools: z.record(name, poolSchema, { invalid_type_error: 'is not an object of named pools' }).optional(),
    routes: z.array(routeSchema, { invalid_type_error: 'is not a list of routes' }).optional(),
  };
}

interface RoutingView {
  backends: { id?: string; url: string }[];
  dns: { names: string[] };
  pools?: Record<string, { backends: { id?: string; url: string }[]; policy: string; hashOn?: string }>;
  routes?: RouteConfig[];
}

/** The checks across keys: every route names pools that exist, splits have weight, names and ids are unique. */
export function checkRouting(config: RoutingView, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path, message });
  const pools = config.pools ?? {};
  if (config.backends.length > 0 && pools.default !== undefined) issue(['backends'], 'is set together with pools.default.backends; keep one of them');
  const impliedDefault = config.pools === undefined || config.backends.length > 0 || config.dns.names.length > 0;
  const poolNames = new Set([...Object.keys(pools), ...(impliedDefault ? ['default'] : [])]);
  if (config.routes === undefined && !poolNames.has('default')) issue(['routes'], 'is required when there is no pool "default" for the catch-all route');
  for (const [poolName, pool] of Object.entries(pools)) {
    if (pool.policy === 'consistent-hash' && pool.hashOn === undefined) issue(['pools', poolName, 'policy'], 'needs hashOn (path, client-ip, header:NAME or cookie:NAME)');
  }
  checkBackendIdsAcrossPools(config, issue);
  const routeNames = new Map<string, number>();
  (config.routes ?? []).forEach((route, index) => {
    const at = (...rest: (string | number)[]) => ['routes', index, ...rest];
    const first = routeNames.get(route.name);
    if (first !== undefined) issue(at('name'), `repeats routes[${first}].name; route names must be unique`);
    routeNames.set(route.name, index);
    if (route.pool !== undefined && route.split !== undefined) issue(at('pool'), 'is set together with split; a route sends to one pool or to a split');
    if (route.pool === undefined && route.split === undefined) issue(at('name'), 'has neither pool nor split');
    if (route.pool !== undefined && !poolNames.has(route.pool)) issue(at('pool'), `is not a pool (${[...poolNames].join(', ')})`);
    route.split?.forEach((side, sideIndex) => {
      if (!poolNames.has(side.pool)) issue(at('split', sideIndex, 'pool'), `is not a pool (${[...poolNames].join(', ')})`);
    });
    if (route.split !== undefined && route.split.every((side) => side.weight === 0)) issue(at('split'), 'has weights that sum to 0');
    if (route.sticky !== undefined && route.split === undefined) issue(at('sticky'), 'needs a split to stick to');
    if (route.stripPrefix && route.match.pathPrefix === undefined) issue(at('stripPrefix'), 'needs match.pathPrefix');
    const limit = route.rateLimit;
    if (limit?.burst !== undefined && limit.burst < limit.rate) issue(at('rateLimit', 'burst'), `is below rateLimit.rate (${limit.rate}); a burst holds at least one second's requests`);
    checkAuthKeyedLimit(route, (message) => issue(at('rateLimit', 'key'), message));
    for (const [header, matcher] of Object.entries(route.match.headers ?? {})) {
      if (typeof matcher === 'string') continue;
      try {
        new RegExp(matcher.regex);
      } catch (error) {
        issue(at('match', 'headers', header, 'regex'), `does not compile (${(error as Error).message})`);
      }
    }
  });
}

function checkBackendIdsAcrossPools(config: RoutingView, issue: (path: (string | number)[], message: string) => void): void {
  const seen = new Map<string, string>();
  const pools = Object.entries(config.pools ?? {});
  if (config.backends.length > 0) pools.unshift(['default', { backends: config.backends, policy: 'round-robin' }]);
  for (const [poolName, pool] of pools) {
    pool.backends.forEach((backend, index) => {
      for (const key of [backend.id, backend.url]) {
        if (key === undefined) continue;
        const where = seen.get(key);
        const path = poolName === 'default' && config.pools?.default === undefined ? ['backends', index] : ['pools', poolName, 'backends', index];
        if (where !== undefined && where !== poolName) issue(path, `is already a backend of pool ${where} (${key}); a backend belongs to one pool`);
        seen.set(key, poolName);
      }
    });
  }
}
