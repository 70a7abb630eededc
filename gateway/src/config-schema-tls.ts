// Configuration section for TLS termination: the HTTPS listener, its certificates (chosen by SNI), the oldest
// protocol version accepted, and the cleartext port's redirect and HSTS. Spread into the schema in config-schema.ts.
import { z } from 'zod';

export const DEFAULT_TLS_PORT = 8443;
/** TLS 1.0 and 1.1 are deprecated (RFC 8996); Node's default cipher list with 1.2 as the floor is modern. */
export const DEFAULT_TLS_MIN_VERSION = 'TLSv1.2';
export type TlsMinVersion = 'TLSv1.2' | 'TLSv1.3';
/** HSTS is off unless configured: once a browser has seen it, it refuses cleartext for max-age seconds. */
export const DEFAULT_HSTS_MAX_AGE = 0;

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.number({ invalid_type_error: 'is not a number' }).int('is not an integer').min(min, `is not an integer >= ${min}`).max(max, `is not an integer <= ${max}`);

/** A server name as SNI carries it, or a wildcard covering one label: `example.com`, `*.example.com`. */
const serverName = z.string().regex(/^(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/, 'is not a host name or *.wildcard name');

const certificateEntry = z
  .object({
    cert: z.string({ invalid_type_error: 'is not a file path' }).min(1, 'is empty'),
    key: z.string({ invalid_type_error: 'is not a file path' }).min(1, 'is empty'),
    // Without names, the certificate's own subjectAltName DNS names (or its CN) are used.
    names: z.array(serverName, { invalid_type_error: 'is not a list of server names' }).optional(),
  })
  .strict();

export const tlsSections = {
  tls: z
    .object({
      enabled: z.boolean({ invalid_type_error: 'is not true or false' }).default(false),
      // Unset: the same host as listen.host.
      host: z.string().min(1, 'is empty').optional(),
      port: int(0, 65535).default(DEFAULT_TLS_PORT),
      // The first certificate is the default, for clients without SNI or with a name no certificate covers.
      certificates: z.array(certificateEntry, { invalid_type_error: 'is not a list of {cert, key, names?}' }).default([]),
      minVersion: z.enum(['TLSv1.2', 'TLSv1.3'], { errorMap: () => ({ message: 'is not "TLSv1.2" or "TLSv1.3"' }) }).default(DEFAULT_TLS_MIN_VERSION),
      redirectHttp: z.boolean({ invalid_type_error: 'is not true or false' }).default(false),
      hsts: int(0, 2 * 365 * 24 * 3600).default(DEFAULT_HSTS_MAX_AGE),
    })
    .strict()
    .refine((tls) => !tls.enabled || tls.certificates.length > 0, { message: 'lists no certificate, and tls.enabled needs one {cert, key} at least', path: ['certificates'] })
    .default({}),
};
