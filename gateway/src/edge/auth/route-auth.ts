// A route's authentication as the proxy runs it between routing and the rate limit: check the credential (API
// key or JWT), answer a refusal (counted, logged sampled, never with the credential), or hand the backend the
// identity headers instead of the credential.
import type { IncomingMessage } from 'node:http';
import type { AuthConfig } from '../../config-schema-auth.js';
import type { Logger } from '../../observability/logger.js';
import { ApiKeyCheck } from './api-key-check.js';
import { authRefusals, type AuthRefusal } from './auth-refusals.js';
import { isFailure, type AuthFailure, type AuthReason, type Identity } from './identity.js';
import { JwtCheck } from './jwt-check.js';
import { SampledLog } from './sampled-log.js';

export type OnAuthRejected = (route: string, reason: AuthReason) => void;

export class RouteAuth {
  private readonly apiKey: ApiKeyCheck | undefined;
  private readonly jwt: JwtCheck | undefined;
  private readonly refusals: Record<AuthReason, AuthRefusal>;
  private readonly failures: SampledLog;

  constructor(
    readonly route: string,
    config: AuthConfig,
    log: Logger,
    private readonly onRejected: OnAuthRejected,
  ) {
    this.apiKey = config.apiKey && new ApiKeyCheck(config.apiKey);
    this.jwt = config.jwt && new JwtCheck(config.jwt);
    const param = this.apiKey && (this.apiKey.header !== undefined ? `header="${this.apiKey.header}"` : `query="${this.apiKey.query!}"`);
    this.refusals = authRefusals(route, param === undefined ? { kind: 'bearer' } : { kind: 'api-key', param });
    this.failures = new SampledLog(log);
  }

  /** Resolves with the identity, or the answer to send instead (already counted and logged). Never rejects. */
  authenticate(req: IncomingMessage, requestId: string): Promise<Identity | AuthRefusal> {
    const outcome = this.apiKey ? Promise.resolve(this.apiKey.check(req)) : this.jwt!.check(req);
    return outcome.then(
      (result) => (isFailure(result) ? this.refuse(req, requestId, result) : result),
      (error: unknown) => this.refuse(req, requestId, { reason: 'keys_unavailable', detail: 'the check failed unexpectedly', cause: error }),
    );
  }

  /**
   * The backend gets the identity, never the credential: a key forwarded to every backend behind the route
   * could be read from their logs and replayed against any other route it opens. The Authorization header of a
   * JWT route is left as it is: backends that verify tokens themselves need it.
   */
  forwardIdentity(headers: string[], identity: Identity): void {
    const header = this.apiKey?.header;
    if (header !== undefined) {
      for (let i = headers.length - 2; i >= 0; i -= 2) if (headers[i]!.length === header.length && headers[i]!.toLowerCase() === header) headers.splice(i, 2);
    }
    headers.push(...identity.headers);
  }

  /** The path for the backend: without the key when it came in the query. */
  backendPath(path: string): string {
    return this.apiKey === undefined ? path : this.apiKey.withoutKey(path);
  }

  /** True when backendPath can change a path (the key comes in the query). */
  get rewritesPath(): boolean {
    return this.apiKey?.query !== undefined;
  }

  private refuse(req: IncomingMessage, requestId: string, failure: AuthFailure): AuthRefusal {
    this.onRejected(this.route, failure.reason);
    const fields = () => ({ route: this.route, reason: failure.reason, detail: failure.detail, client: req.socket.remoteAddress, requestId, err: failure.cause });
    if (failure.reason === 'keys_unavailable') this.failures.write('error', failure.reason, fields, `route ${this.route}: the keys to verify tokens cannot be fetched`);
    else this.failures.write('warn', failure.reason, fields, `route ${this.route}: request refused (${failure.reason})`);
    return this.refusals[failure.reason];
  }
}
