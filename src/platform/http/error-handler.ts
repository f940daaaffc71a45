// One place turns every error into an RFC 9457 problem document. AppErrors carry their
// own status and safe message; Fastify's own 4xx errors (validation, bad JSON, wrong
// content type, body too large) are mapped to stable problem types; anything else is a
// 5xx whose details stay in the log and never reach the client.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  AppError,
  PROBLEM_TYPE_BASE,
  serviceUnavailable,
  type FieldError,
  type ProblemDocument,
} from '../errors.ts';
import { isConnectionError, isDatabaseTimeout } from '../db/errors.ts';
import { NoSuchPath, type Unrouted } from './unrouted.ts';

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

const CONTEXT_POINTER: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'params',
  headers: 'headers',
};

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function fieldErrors(context: string, errors: AjvError[]): FieldError[] {
  const root = `#/${CONTEXT_POINTER[context] ?? context}`;
  const seen = new Set<string>();
  const result: FieldError[] = [];
  for (const error of errors) {
    let pointer = root + error.instancePath;
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'required' && typeof error.params.missingProperty === 'string') {
      pointer += '/' + escapePointer(error.params.missingProperty);
      message = 'is required';
    } else if (
      error.keyword === 'additionalProperties' &&
      typeof error.params.additionalProperty === 'string'
    ) {
      pointer += '/' + escapePointer(error.params.additionalProperty);
      message = 'is not allowed';
    } else if (error.keyword === 'format' && String(error.params.format).endsWith('envelope')) {
      message = 'must be an encrypted key envelope made on the device (docs/encryption.md)';
    } else if (error.keyword === 'format' && error.params.format === 'encrypted-text') {
      message =
        'must be encrypted on the device: a text envelope made by the SDK (docs/encryption.md), never plaintext';
    } else if (error.keyword === 'enum' && Array.isArray(error.params.allowedValues)) {
      message = `must be one of: ${error.params.allowedValues.join(', ')}`;
    }
    const key = `${pointer} ${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      result.push({ pointer, message });
    }
  }
  return result;
}

const FASTIFY_CODES: Record<string, { code: string; title: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupported-media-type',
    title: 'Unsupported media type',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'invalid-content-length',
    title: 'Invalid Content-Length',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload-too-large', title: 'Payload too large' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'malformed-body', title: 'The request body is not valid' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'malformed-body', title: 'The request body is not valid' },
  FST_ERR_BAD_URL: { code: 'bad-url', title: 'The URL is not valid' },
  FST_ERR_CTP_EMPTY_TYPE: { code: 'unsupported-media-type', title: 'Unsupported media type' },
  FST_ERR_CTP_INVALID_TYPE: { code: 'unsupported-media-type', title: 'Unsupported media type' },
  FST_ERR_ASYNC_CONSTRAINT: { code: 'bad-request', title: 'Bad request' },
};

export function problemFor(
  error: unknown,
  request: FastifyRequest,
): { problem: ProblemDocument; headers: Record<string, string> } {
  const base = { instance: request.url.split('?')[0] ?? '/', request_id: String(request.id) };
  if (error instanceof AppError) {
    return {
      problem: {
        type: error.type,
        title: error.title,
        status: error.status,
        detail: error.detail,
        ...base,
        ...(error.errors ? { errors: error.errors } : {}),
        ...(error.retryAfterSeconds !== undefined
          ? { retry_after_seconds: error.retryAfterSeconds }
          : {}),
      },
      headers: error.headers,
    };
  }
  if (isConnectionError(error) || isDatabaseTimeout(error)) {
    // The database is restarting, unreachable or too slow (a statement or an idle
    // transaction ran out of time): the client should retry, not report a bug.
    return problemFor(serviceUnavailable('database', 5, error), request);
  }
  const fastifyError = error as FastifyError & {
    validation?: AjvError[];
    validationContext?: string;
  };
  if (fastifyError.validation) {
    const errors = fieldErrors(fastifyError.validationContext ?? 'body', fastifyError.validation);
    return {
      problem: {
        type: PROBLEM_TYPE_BASE + 'validation-failed',
        title: 'The request is not valid',
        status: 400,
        detail:
          errors.map((e) => `${e.pointer} ${e.message}`).join('; ') || 'The request is not valid',
        errors,
        ...base,
      },
      headers: {},
    };
  }
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const known = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
    // Fastify's 4xx messages describe the request, not the server, so they are safe to show.
    return {
      problem: {
        type: PROBLEM_TYPE_BASE + (known?.code ?? 'bad-request'),
        title: known?.title ?? 'Bad request',
        status,
        detail: fastifyError.message,
        ...base,
      },
      headers: {},
    };
  }
  return {
    problem: {
      type: PROBLEM_TYPE_BASE + 'internal-error',
      title: 'Internal error',
      status: 500,
      detail: 'Something went wrong on our side; it has been logged. Please try again.',
      ...base,
    },
    headers: {},
  };
}

export function sendProblem(
  reply: FastifyReply,
  problem: ProblemDocument,
  headers: Record<string, string>,
): FastifyReply {
  return reply.code(problem.status).headers(headers).type('application/problem+json').send(problem);
}

/**
 * Every error as a problem document. Used as the error handler, and passed to Fastify as
 * `frameworkErrors` for the errors it raises before routing (a URL that is not valid UTF-8
 * once decoded, a failing route constraint), which bypass the error handler.
 */
export function answerWithProblem(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const { problem, headers } = problemFor(error, request);
  // 4xx need no line of their own: the request line after the response has the status.
  if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
  return sendProblem(reply, problem, headers);
}

/** A path parameter that fails its schema: the path names nothing (see unrouted.ts). */
function namesNothing(error: unknown): boolean {
  if (error instanceof NoSuchPath) return true;
  const { validation, validationContext } = error as FastifyError;
  return validation !== undefined && validationContext === 'params';
}

export function registerErrorHandling(app: FastifyInstance, unrouted: Unrouted): void {
  app.setErrorHandler((error: FastifyError, request, reply) =>
    namesNothing(error)
      ? unrouted.answer(request, reply)
      : answerWithProblem(error, request, reply),
  );
  app.setNotFoundHandler((request, reply) => unrouted.answer(request, reply));
}
