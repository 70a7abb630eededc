// Every error the admin listener answers: a JSON body with a stable `error` code, a message for humans and,
// for a bad field, its name. Fastify's own errors (body too large, bad JSON, wrong content type) are mapped here.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

export interface AdminErrorBody {
  error: string;
  message: string;
  field?: string;
}

export function sendAdminError(reply: FastifyReply, status: number, error: string, message: string, field?: string): FastifyReply {
  const body: AdminErrorBody = field === undefined ? { error, message } : { error, message, field };
  return reply.code(status).header('cache-control', 'no-store').send(body);
}

/** A body that failed its schema: 400 with the code, naming the first field at fault (or the unknown one). */
export function sendInvalidBody(reply: FastifyReply, error: z.ZodError, code: string, knownFields: string): FastifyReply {
  const issue = error.issues[0]!;
  const unknown = issue.code === z.ZodIssueCode.unrecognized_keys;
  const field = unknown ? issue.keys[0]! : issue.path.join('.') || 'body';
  return sendAdminError(reply, 400, code, `${field}: ${unknown ? `is not a known field (${knownFields})` : issue.message}`, field);
}

/** Fastify's error codes turned into the admin API's; anything unexpected is a 500 without internals. */
const FASTIFY_ERRORS: Record<string, { status: number; error: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, error: 'body_too_large', message: 'the request body is larger than admin.bodyLimitBytes' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, error: 'unsupported_media_type', message: 'send the body as application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, error: 'bad_request', message: 'content-length does not match the body' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, error: 'invalid_json', message: 'the body is empty but content-type says JSON' },
};

export function adminErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const known = error.code ? FASTIFY_ERRORS[error.code] : undefined;
  if (known) return sendAdminError(reply, known.status, known.error, known.message);
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return sendAdminError(reply, 400, 'invalid_json', `the body is not valid JSON: ${error.message}`);
  }
  if (error.statusCode === 429) return sendAdminError(reply, 429, 'too_many_requests', error.message);
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return sendAdminError(reply, error.statusCode, 'bad_request', error.message);
  }
  request.log.error({ err: error }, 'admin request failed');
  return sendAdminError(reply, 500, 'internal_error', 'the gateway failed to handle this admin request; see its log');
}

export function adminNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendAdminError(reply, 404, 'not_found', `${request.method} ${request.url.split('?')[0]} is not an admin endpoint`);
}
