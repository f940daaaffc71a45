// The responses a route declares: each with a description for the OpenAPI document, the
// headers it carries and, for the main ones, examples. Success bodies use Fastify's
// `content` form, which the serializer and the type provider read like a bare schema
// (the handler stays typed by `schema`) and @fastify/swagger copies as it is.
import { Type, type Static, type TSchema } from 'typebox';
import type { ProblemDocument } from '../errors.ts';
import { PROBLEM_TYPE_BASE } from '../errors.ts';
import { ResponseHeaders, type HeaderSchema } from './openapi/headers.ts';
import type { Examples } from './openapi/operation-docs.ts';
import { Binary } from './schemas.ts';

export type { Example, Examples } from './openapi/operation-docs.ts';

export interface ResponseDocs<T> {
  /** Response headers, by the name the document shows. */
  headers?: Record<string, HeaderSchema>;
  examples?: Examples<T>;
}

/** A JSON response. */
export function json<T extends TSchema>(
  description: string,
  schema: T,
  docs: ResponseDocs<Static<T>> = {},
): {
  description: string;
  headers?: Record<string, HeaderSchema>;
  content: { 'application/json': { schema: T; examples?: Examples<Static<T>> } };
} {
  return {
    description,
    ...(docs.headers ? { headers: docs.headers } : {}),
    content: {
      'application/json': { schema, ...(docs.examples ? { examples: docs.examples } : {}) },
    },
  };
}

/** A response without a body (204, 304). */
export const noBody = (description: string, headers?: Record<string, HeaderSchema>) =>
  Type.Null({ description, ...(headers ? { headers } : {}) });

const NOT_MODIFIED = 'Not modified: the copy named by If-None-Match is current (no body)';

/** 304 to a request whose If-None-Match names the current version. */
export const notModified = noBody(NOT_MODIFIED, { ETag: ResponseHeaders.ETag });

/** 304 with headers of its own (those of the 200 it stands for). */
export const notModifiedWith = (headers: Record<string, HeaderSchema>) =>
  noBody(NOT_MODIFIED, headers);

/** Bytes streamed as they are (a recording's ciphertext, a zip). */
export function binary(
  description: string,
  mediaType: string,
  headers?: Record<string, HeaderSchema>,
): {
  description: string;
  headers?: Record<string, HeaderSchema>;
  content: Record<string, { schema: typeof Binary }>;
} {
  return {
    description,
    ...(headers ? { headers } : {}),
    content: { [mediaType]: { schema: Binary } },
  };
}

/** A reference to the shared problem document schema (registered once by the app). */
export const Problem = Type.Unsafe<ProblemDocument>({ $ref: 'ProblemDocument#' });

interface ProblemStatus {
  description: string;
  example: Omit<ProblemDocument, 'status' | 'request_id'>;
  headers?: Record<string, HeaderSchema>;
}

const problem = (code: string, title: string, detail: string, instance: string) => ({
  type: PROBLEM_TYPE_BASE + code,
  title,
  detail,
  instance,
});
const JOURNAL = '/v1/journals/743eabaa-917e-41d2-8143-04dafde8d597';

/** What each error status means across the API, with a typical problem document. */
const PROBLEM_STATUSES: Record<number, ProblemStatus> = {
  400: {
    description:
      'The request does not match its schema (or is malformed): `errors` points at each ' +
      'invalid field with a JSON pointer into #/body, #/query or #/headers',
    example: {
      ...problem(
        'validation-failed',
        'The request is not valid',
        '#/body/intensity must be <= 10',
        '/v1/emotions',
      ),
      errors: [{ pointer: '#/body/intensity', message: 'must be <= 10' }],
    },
  },
  401: {
    description:
      'No valid access token (missing, expired or revoked: refresh it with POST ' +
      '/v1/auth/refresh), a wrong email or password at sign-in (invalid-credentials), or a ' +
      'sensitive operation without a recent POST /v1/auth/reauthenticate ' +
      '(reauthentication-required)',
    example: problem(
      'unauthenticated',
      'Not authenticated',
      'Authentication is required',
      '/v1/users/me',
    ),
  },
  403: {
    description:
      'Not allowed: a permission the token lacks, a locked account, or a wrong current ' +
      'password or code (the type says which: forbidden, account-locked, password-incorrect, ' +
      'mfa-code-incorrect…)',
    example: problem(
      'forbidden',
      'Forbidden',
      'This requires the admin permission',
      '/v1/admin/users',
    ),
  },
  404: {
    description: 'Nothing of this user has this id (or the path names nothing)',
    example: problem('not-found', 'Not found', 'The journal does not exist', JOURNAL),
  },
  409: {
    description: 'Conflicts with the current state (the type says which conflict)',
    example: problem(
      'iv-reused',
      'Conflict',
      'This IV was already used for one of your recordings; encrypt with a fresh IV',
      '/v1/journals',
    ),
  },
  410: {
    description: 'It existed, and is gone for good (an expired link, a revoked share)',
    example: problem(
      'link-expired',
      'Link expired',
      'This download link has expired; ask for a new export',
      '/v1/journals/exports/eyJqIjoiNzQzZWFiYWEiLCJlIjoxNzczMTQ0MDAwfQ.Jq3vX0a9',
    ),
  },
  413: {
    description: 'The body is larger than this route takes',
    example: problem(
      'payload-too-large',
      'Recording too large',
      'A recording may be at most 104857600 bytes',
      '/v1/journals',
    ),
  },
  415: {
    description: 'The body is not of a content type this route takes',
    example: problem(
      'unsupported-media-type',
      'Unsupported media type',
      'Send multipart/form-data with a metadata part and an audio part',
      '/v1/journals',
    ),
  },
  416: {
    description: 'The Range asked for lies outside the ciphertext',
    example: problem(
      'range-not-satisfiable',
      'Range not satisfiable',
      'The recording has 1245312 bytes',
      `${JOURNAL}/audio`,
    ),
    headers: { 'Content-Range': ResponseHeaders.UnsatisfiedRange },
  },
  422: {
    description:
      'Matches the schema, but a rule refuses it (the type says which: weak-password, ' +
      'invalid-range, idempotency-key-reused…)',
    example: problem(
      'idempotency-key-reused',
      'Idempotency key reused',
      'This Idempotency-Key was already used with a different request',
      '/v1/emotions',
    ),
  },
  429: {
    description:
      'Too many requests: the global budget per address or user, or a budget of this ' +
      'operation (sign-in attempts, codes). Retry after the seconds given.',
    example: {
      ...problem(
        'rate-limited',
        'Too many requests',
        'Too many attempts; wait before trying again',
        '/v1/auth/login',
      ),
      retry_after_seconds: 42,
    },
    headers: { 'Retry-After': ResponseHeaders.RetryAfter },
  },
  500: {
    description: 'A fault on the server; it was logged with the request id. Retry later.',
    example: problem(
      'internal-error',
      'Internal error',
      'Something went wrong on our side; it has been logged. Please try again.',
      '/v1/progress/dashboard',
    ),
  },
  503: {
    description:
      'A dependency is unavailable or the server is overloaded: retry after the seconds given',
    example: {
      ...problem(
        'service-unavailable',
        'Service temporarily unavailable',
        'A service this request needs (audio storage) is unavailable; try again shortly',
        `${JOURNAL}/audio`,
      ),
      retry_after_seconds: 10,
    },
    headers: { 'Retry-After': ResponseHeaders.RetryAfter },
  },
};

/** A problem response as the server sends it: `application/problem+json` (RFC 9457). */
export function problemResponse(status: number) {
  const known = PROBLEM_STATUSES[status];
  if (!known) throw new Error(`no problem description for status ${status}`);
  const example: ProblemDocument = {
    ...known.example,
    status,
    request_id: 'b3c1f7a2-5e44-4d0c-9f1e-2a6d8c0b7e95',
  };
  return {
    description: known.description,
    ...(known.headers ? { headers: known.headers } : {}),
    content: {
      'application/problem+json': {
        schema: Problem,
        examples: {
          [example.type.slice(PROBLEM_TYPE_BASE.length)]: {
            summary: example.title,
            value: example,
          },
        },
      },
    },
  };
}

/** The error responses of a route: 400, 429 and 500 always, plus those given. */
export const errorResponses = (
  ...statuses: number[]
): Record<number, ReturnType<typeof problemResponse>> =>
  Object.fromEntries(
    [...new Set([400, 429, 500, ...statuses])]
      .sort()
      .map((status) => [status, problemResponse(status)]),
  );
