// Authentication is on by default: every route under /v1 requires a valid access token
// unless it is declared `config: { public: true }`; `config: { scope }` adds a scope check
// (403 when missing). Declaring access on the route (not in each handler) is what lets the
// authorization test suite enumerate every route and prove the rule for each.
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { AppError } from '../errors.ts';
import { forbidden, unauthorized } from '../errors.ts';
import type { Role, Scope } from './roles.ts';
import { AccessTokenError, type VerifiedAccess } from '../crypto/access-tokens.ts';
import { problemResponse } from '../http/responses.ts';

export interface AuthContext {
  userId: string;
  sessionId: string;
  role: Role;
  scopes: ReadonlySet<string>;
  tokenId: string;
  issuedAt: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null;
  }
  interface FastifyContextConfig {
    /** The route needs no access token. */
    public?: boolean;
    /** The scope the token must carry (403 otherwise). */
    scope?: Scope;
    /** A sensitive operation: the session must have re-authenticated recently (401 otherwise). */
    stepUp?: boolean;
  }
}

export interface AuthGuardDeps {
  verify(token: string): Promise<VerifiedAccess>;
  isSessionRevoked(sessionId: string): Promise<boolean>;
  /** Whether the session gave a fresh proof (password or MFA code) recently enough. */
  isSessionFresh(sessionId: string): Promise<boolean>;
}

export const reauthenticationRequired = (): AppError =>
  unauthorized(
    'reauthentication-required',
    'This needs a fresh proof that it is you: POST /v1/auth/reauthenticate with your password or an authenticator code, then try again',
  );

export const tokenExpired = (): AppError =>
  unauthorized('token-expired', 'The access token has expired; refresh it and try again');

async function authenticate(deps: AuthGuardDeps, request: FastifyRequest): Promise<AuthContext> {
  const header = request.headers.authorization;
  if (!header)
    throw unauthorized('unauthenticated', 'An access token is required (Authorization: Bearer)');
  const match = /^Bearer ([A-Za-z0-9_.~+/=-]+)$/.exec(header);
  if (!match?.[1])
    throw unauthorized('token-invalid', 'The Authorization header is not a bearer token');
  let claims: VerifiedAccess;
  try {
    claims = await deps.verify(match[1]);
  } catch (error) {
    if (error instanceof AccessTokenError && error.reason === 'expired') throw tokenExpired();
    throw unauthorized('token-invalid', 'The access token is not valid');
  }
  if (await deps.isSessionRevoked(claims.sid)) {
    throw unauthorized('session-revoked', 'This session has ended; sign in again');
  }
  return {
    userId: claims.sub,
    sessionId: claims.sid,
    role: claims.role,
    scopes: new Set(claims.scope.split(' ')),
    tokenId: claims.jti,
    issuedAt: claims.iat,
  };
}

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Must be registered before any route: it wraps the routes added after it. */
export function registerAuthGuard(app: FastifyInstance, deps: AuthGuardDeps): void {
  app.decorateRequest('auth', null);
  app.addHook('onRoute', (route: RouteOptions) => {
    const config = (route.config ?? {}) as { public?: boolean; scope?: Scope; stepUp?: boolean };
    if (!route.url.startsWith('/v1/') || config.public) {
      // Documented as needing no credentials (OpenAPI: an empty requirement list).
      if (route.schema) route.schema.security = [];
      return;
    }
    const { scope, stepUp } = config;
    const guard = async (request: FastifyRequest) => {
      request.auth = await authenticate(deps, request);
      if (scope && !request.auth.scopes.has(scope))
        throw forbidden(`This requires the ${scope} permission`);
      if (stepUp && !(await deps.isSessionFresh(request.auth.sessionId)))
        throw reauthenticationRequired();
    };
    // onRequest-time checks run before the body is parsed: an unauthenticated caller cannot
    // make the server read (or buffer) a large upload.
    route.onRequest = [guard, ...asArray(route.onRequest)];
    if (route.schema) {
      route.schema.security = [{ bearerAuth: [] }];
      route.schema.response = {
        401: problemResponse(401),
        ...(scope ? { 403: problemResponse(403) } : {}),
        ...(route.schema.response as Record<string, unknown> | undefined),
      };
    }
  });
}

/** The authenticated caller; only valid on routes that are not public. */
export function callerOf(request: FastifyRequest): AuthContext {
  if (!request.auth) throw unauthorized();
  return request.auth;
}
