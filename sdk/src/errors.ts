// What a call can fail with, as values an app can branch on:
//   ApiError            the server answered with a problem document (RFC 9457): `code` says which
//   UnexpectedResponse  something answered that is not our API (a proxy's HTML 502, a captive portal)
//   NetworkError        nothing answered (offline, DNS, TLS, a dropped connection)
//   SignInRequired      the session ended (refresh token revoked, expired or reused): sign in again
import type { components } from './api-types.ts';
import { PROBLEM_CODES, type ProblemCode } from './problem-codes.ts';

export { PROBLEM_CODES, type ProblemCode } from './problem-codes.ts';

export const PROBLEM_TYPE_BASE = 'https://amirawellness.com/problems/';

/** A problem document (RFC 9457), as the OpenAPI document names it. */
export type Problem = components['schemas']['ProblemDocument'];

const knownCodes: ReadonlySet<string> = new Set(PROBLEM_CODES);

export class ApiError extends Error {
  readonly problem: Problem;
  readonly status: number;
  /** The problem's code (the last segment of its `type`), or 'unknown' for a type we do not know. */
  readonly code: ProblemCode | 'unknown';
  constructor(problem: Problem) {
    super(`${problem.status} ${problem.title}: ${problem.detail}`);
    this.name = 'ApiError';
    this.problem = problem;
    this.status = problem.status;
    const code = problem.type.startsWith(PROBLEM_TYPE_BASE)
      ? problem.type.slice(PROBLEM_TYPE_BASE.length)
      : '';
    this.code = knownCodes.has(code) ? (code as ProblemCode) : 'unknown';
  }

  /** Seconds the server asked to wait before trying again (429, 503), if it said. */
  get retryAfterSeconds(): number | undefined {
    return this.problem.retry_after_seconds;
  }
}

/** An answer that is not a problem document: the request may or may not have been carried out. */
export class UnexpectedResponse extends Error {
  readonly status: number;
  readonly contentType: string;
  /** The first 500 characters of the body, for a log. */
  readonly excerpt: string;
  constructor(status: number, contentType: string, excerpt: string) {
    super(`unexpected ${status} answer (${contentType || 'no content type'})`);
    this.name = 'UnexpectedResponse';
    this.status = status;
    this.contentType = contentType;
    this.excerpt = excerpt;
  }
}

export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('the server could not be reached', { cause });
    this.name = 'NetworkError';
  }
}

/** The session is over: the app shows its sign-in screen. */
export class SignInRequired extends Error {
  constructor(cause?: unknown) {
    super('the session has ended: sign in again', { cause });
    this.name = 'SignInRequired';
  }
}

/** Whether `error` is a problem document of the given code (narrowing it to ApiError). */
export const isProblem = (error: unknown, code: ProblemCode): error is ApiError =>
  error instanceof ApiError && error.code === code;
