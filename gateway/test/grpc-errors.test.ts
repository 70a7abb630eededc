// The gateway's own errors as gRPC statuses, as a table: what a gRPC client is told for each error the gateway
// makes, the metric label of every status code (bounded), and grpc-timeout values in milliseconds.
import t from 'tap';
import * as errors from '../src/errors.js';
import { grpcStatusName, grpcStatusOf, parseGrpcStatus, parseGrpcTimeout } from '../src/proxy/grpc-errors.js';

const statusRows: [errors.GatewayError, number, string][] = [
  [errors.NO_AVAILABLE_BACKEND, 14, 'UNAVAILABLE'],
  [errors.UPSTREAM_UNREACHABLE, 14, 'UNAVAILABLE'],
  [errors.UPSTREAM_RESET, 14, 'UNAVAILABLE'],
  [errors.UPSTREAM_WENT_DOWN, 14, 'UNAVAILABLE'],
  [errors.UPSTREAM_TIMEOUT, 4, 'DEADLINE_EXCEEDED'],
  [errors.UPSTREAM_PROTOCOL_ERROR, 13, 'INTERNAL'],
  [errors.UPSTREAM_FAILED, 13, 'INTERNAL'],
  [errors.BAD_REQUEST, 13, 'INTERNAL'],
  [errors.PAYLOAD_TOO_LARGE, 8, 'RESOURCE_EXHAUSTED'],
  [errors.RATE_LIMITED, 8, 'RESOURCE_EXHAUSTED'],
  [errors.RATE_LIMIT_UNAVAILABLE, 14, 'UNAVAILABLE'],
  [errors.BACKEND_BUSY, 14, 'UNAVAILABLE'],
  [errors.OVERLOADED, 14, 'UNAVAILABLE'],
  [errors.TOO_MANY_CONNECTIONS, 14, 'UNAVAILABLE'],
  [errors.AUTH_UNAVAILABLE, 14, 'UNAVAILABLE'],
  [errors.UNAUTHORIZED, 16, 'UNAUTHENTICATED'],
  [errors.FORBIDDEN, 7, 'PERMISSION_DENIED'],
  [errors.NO_ROUTE, 12, 'UNIMPLEMENTED'],
];

for (const [error, code, name] of statusRows) {
  t.test(`${error.code} → ${name} (${code})`, async (t) => {
    t.equal(grpcStatusOf(error), code);
    t.equal(grpcStatusName(code), name);
  });
}

t.test('every gateway error has a gRPC status other than UNKNOWN', async (t) => {
  const all = Object.values(errors).filter((value): value is errors.GatewayError => typeof value === 'object' && value !== null && 'status' in value);
  for (const error of all) t.not(grpcStatusOf(error), 2, error.code);
});

t.test('status names: the 17 codes by name, anything else UNKNOWN (a bounded label set)', async (t) => {
  t.equal(grpcStatusName(0), 'OK');
  t.equal(grpcStatusName(16), 'UNAUTHENTICATED');
  t.equal(grpcStatusName(17), 'UNKNOWN');
  t.equal(grpcStatusName(-1), 'UNKNOWN');
  t.equal(parseGrpcStatus('14'), 14);
  t.equal(parseGrpcStatus('x'), undefined);
  t.equal(parseGrpcStatus(undefined), undefined);
});

const timeoutRows: [string | undefined, number | undefined][] = [
  ['100m', 100],
  ['5S', 5_000],
  ['2M', 120_000],
  ['1H', 3_600_000],
  ['250000u', 250],
  ['1n', 1], // at least 1 ms: 0 would mean no timeout at all
  ['99999999m', 99_999_999],
  ['123456789m', undefined], // more than 8 digits
  ['10', undefined],
  ['10s', undefined], // units are case-sensitive: s is not a unit
  ['', undefined],
  [undefined, undefined],
];

for (const [value, ms] of timeoutRows) {
  t.test(`grpc-timeout ${JSON.stringify(value)} → ${ms} ms`, async (t) => {
    t.equal(parseGrpcTimeout(value), ms);
  });
}

t.test('grpc-message: printable ASCII as it is, "%" and anything else percent-encoded', async (t) => {
  const { grpcMessage } = await import('../src/proxy/grpc-errors.js');
  t.equal(grpcMessage('no backend; retry (a, b)'), 'no backend; retry (a, b)');
  t.equal(grpcMessage('100% über'), '100%25 %C3%BCber');
});
