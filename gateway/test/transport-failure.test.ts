// The one classifier as a table: error code × sent → the name operators read, the retry kind, the client's
// answer and whether passive health blames the backend. The errors are undici's and Node's own classes.
import t from 'tap';
import { errors } from 'undici';
import { classifyTransportFailure, type FailureKind, type FailureReason } from '../src/transport-failure.js';

const nodeError = (code: string) => Object.assign(new Error(`${code} from the socket`), { code });

const rows: [string, unknown, boolean, FailureReason, FailureKind, string, boolean][] = [
  // label, error, sent, reason, kind, client error code, blames backend
  ['refused', nodeError('ECONNREFUSED'), false, 'refused', 'connect', 'upstream_unreachable', true],
  ['connect timeout', new errors.ConnectTimeoutError(), false, 'connect timeout', 'connect', 'upstream_timeout', true],
  ['dns', nodeError('ENOTFOUND'), false, 'dns', 'connect', 'upstream_unreachable', true],
  ['dns, temporary', nodeError('EAI_AGAIN'), false, 'dns', 'connect', 'upstream_unreachable', true],
  ['no route', nodeError('EHOSTUNREACH'), false, 'unreachable', 'connect', 'upstream_unreachable', true],
  ['reset before anything went out', nodeError('ECONNRESET'), false, 'reset', 'connect', 'upstream_reset', true],
  ['reset after the request went out', nodeError('ECONNRESET'), true, 'reset', 'reset', 'upstream_reset', true],
  ['socket closed by the backend', new errors.SocketError('other side closed'), true, 'reset', 'reset', 'upstream_reset', true],
  ['no headers in time', new errors.HeadersTimeoutError(), true, 'timeout', 'timeout', 'upstream_timeout', true],
  ['a probe aborted by its timeout signal', new DOMException('The operation was aborted due to timeout', 'TimeoutError'), true, 'timeout', 'timeout', 'upstream_timeout', true],
  ['per-try timeout while still queued', Object.assign(new Error('per try'), { code: 'GATEWAY_PER_TRY_TIMEOUT' }), false, 'timeout', 'connect', 'upstream_timeout', true],
  ['body stalled', new errors.BodyTimeoutError(), true, 'body timeout', 'timeout', 'upstream_timeout', true],
  ['bad HTTP from the backend', Object.assign(new Error('bad'), { code: 'HPE_INVALID_CONSTANT' }), true, 'protocol', 'reset', 'upstream_protocol_error', true],
  ['content-length mismatch', new errors.ResponseContentLengthMismatchError(), true, 'protocol', 'reset', 'upstream_protocol_error', true],
  ['taken out while waiting', Object.assign(new Error('down'), { code: 'GATEWAY_RESCUED' }), true, 'went down', 'rescued', 'upstream_went_down', false],
  ['pool closed: the backend left', new errors.ClientClosedError(), false, 'closed', 'connect', 'upstream_unreachable', false],
  ['undici will not send this header', new errors.NotSupportedError('expect header not supported'), false, 'rejected', 'rejected', 'upstream_failed', false],
  ['undici finds an argument invalid', new errors.InvalidArgumentError('invalid header'), false, 'rejected', 'rejected', 'bad_request', false],
  ['body over the limit', Object.assign(new Error('too large'), { code: 'GATEWAY_BODY_TOO_LARGE' }), true, 'body too large', 'rejected', 'payload_too_large', false],
  ['something nobody named', new TypeError('x is not a function'), true, 'unknown', 'reset', 'upstream_failed', false],
];

for (const [label, error, sent, reason, kind, clientCode, blames] of rows) {
  t.test(`${label} (sent=${sent}) → ${reason}, ${kind}`, async (t) => {
    const failure = classifyTransportFailure(error, sent);
    t.equal(failure.reason, reason, 'reason');
    t.equal(failure.kind, kind, 'retry kind');
    t.equal(failure.clientError.code, clientCode, 'what the client is told');
    t.equal(failure.blamesBackend, blames, 'passive health');
    t.match(failure.cause, (error as Error).message, 'the cause keeps the original message');
  });
}

t.test('the cause names the code, and never reaches the client error', async (t) => {
  const failure = classifyTransportFailure(new errors.NotSupportedError('expect header not supported'), false);
  t.equal(failure.cause, 'UND_ERR_NOT_SUPPORTED: expect header not supported');
  t.notMatch(JSON.stringify(failure.clientError), /expect header/);
});
