// Application errors and their RFC 9457 problem documents. Services throw AppError
// subclasses; one Fastify error handler (platform/http/error-handler.ts) turns every error
// into a problem document and hides the internals of 5xx.
import { Type, type Static } from 'typebox';

export const PROBLEM_TYPE_BASE = 'https://amirawellness.com/problems/';

export const FieldError = Type.Object({
  pointer: Type.String({ description: 'JSON pointer into {body, query, params, headers}' }),
  message: Type.String(),
});
export type FieldError = Static<typeof FieldError>;

export const ProblemDocument = Type.Object(
  {
    type: Type.String({ format: 'uri' }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    request_id: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(FieldError)),
    retry_after_seconds: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { $id: 'ProblemDocument', description: 'RFC 9457 problem document' },
);
export type ProblemDocument = Static<typeof ProblemDocument>;

export interface AppErrorOptions {
  detail?: string;
  errors?: FieldError[];
  retryAfterSeconds?: number;
  headers?: Record<string, string>;
  cause?: unknown;
}

/** An error whose status, code and message are safe to show to the client. */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldError[] | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, title: string, options: AppErrorOptions = {}) {
    super(options.detail ?? title, { cause: options.cause });
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.title = title;
    this.detail = options.detail ?? title;
    this.errors = options.errors;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.headers = options.headers ?? {};
  }

  get type(): string {
    return PROBLEM_TYPE_BASE + this.code;
  }
}

export const badRequest = (detail: string, errors?: FieldError[]): AppError =>
  new AppError(400, 'validation-failed', 'The request is not valid', { detail, errors });

export const unprocessable = (code: string, detail: string, errors?: FieldError[]): AppError =>
  new AppError(422, code, 'The request cannot be processed', { detail, errors });

export const unauthorized = (
  code = 'unauthenticated',
  detail = 'Authentication is required',
): AppError => new AppError(401, code, 'Not authenticated', { detail });

export const forbidden = (detail = 'You are not allowed to do this'): AppError =>
  new AppError(403, 'forbidden', 'Forbidden', { detail });

export const notFound = (what = 'resource'): AppError =>
  new AppError(404, 'not-found', 'Not found', { detail: `The ${what} does not exist` });

export const conflict = (code: string, detail: string): AppError =>
  new AppError(409, code, 'Conflict', { detail });

export const tooManyRequests = (
  retryAfterSeconds: number,
  detail = 'Too many requests',
): AppError =>
  new AppError(429, 'rate-limited', 'Too many requests', {
    detail,
    retryAfterSeconds,
    headers: { 'retry-after': String(retryAfterSeconds) },
  });

export const serviceUnavailable = (
  dependency: string,
  retryAfterSeconds = 5,
  cause?: unknown,
): AppError =>
  new AppError(503, 'service-unavailable', 'Service temporarily unavailable', {
    detail: `A service this request needs (${dependency}) is unavailable; try again shortly`,
    retryAfterSeconds,
    headers: { 'retry-after': String(retryAfterSeconds) },
    cause,
  });
