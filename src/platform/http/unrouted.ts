// Requests whose path names nothing. `GET /v1/emotions/trends` reaches the route
// `GET /v1/emotions/:id` with id "trends"; that is not a malformed request but a path with
// nothing at it, so a path parameter that fails its schema (or holds a NUL) is answered
// like a path no route has: 404 not-found, or 405 method-not-allowed with `Allow` when the
// path names something for other methods (`POST /v1/emotions/trends`). Which methods
// those are is asked of a copy of the route table (find-my-way, the router Fastify uses,
// with the same options), where each route keeps its params schema: a method is allowed
// only if its route matches the path *and* accepts its parameters.
import FindMyWay from 'find-my-way';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchemaCompiler,
  RouteOptions,
} from 'fastify';
import { PROBLEM_TYPE_BASE, type ProblemDocument } from '../errors.ts';

/** Thrown where a request turns out to name nothing (a NUL character in a path segment). */
export class NoSuchPath extends Error {
  override name = 'NoSuchPath';
  constructor() {
    super('The path names nothing');
  }
}

export interface RouterOptions {
  ignoreTrailingSlash?: boolean;
  maxParamLength?: number;
}

type Method = FindMyWay.HTTPMethod;
const METHODS: Method[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

interface Entry {
  schema: unknown;
  validate?: (params: unknown) => unknown;
}

export interface Unrouted {
  /** Answers a request whose path names nothing for its method: 404, or 405 with Allow. */
  answer(request: FastifyRequest, reply: FastifyReply): FastifyReply;
}

/**
 * Keeps the copy of the route table (every route added after this call) and answers for
 * paths that name nothing. Must run before any route is added.
 */
export function trackRoutes(
  app: FastifyInstance,
  routerOptions: RouterOptions,
  compile: FastifySchemaCompiler<unknown>,
): Unrouted {
  const router = FindMyWay(routerOptions);
  const noop = () => undefined;
  app.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat()) {
      if (!METHODS.includes(method as Method)) continue; // OPTIONS is CORS's, for every path
      const entry: Entry = { schema: route.schema?.params };
      try {
        router.on(method as Method, route.url, noop, entry);
      } catch {
        // The same route twice (a prefix's '/' with and without its slash): one is enough.
      }
    }
  });

  const accepts = (entry: Entry, params: Record<string, string | undefined>): boolean => {
    if (Object.values(params).some((value) => value?.includes('\u0000'))) return false;
    if (!entry.schema) return true;
    entry.validate ??= compile({
      schema: entry.schema,
      method: 'GET',
      url: '',
      httpPart: 'params',
    }) as (params: unknown) => unknown;
    return entry.validate({ ...params }) === true;
  };

  /** The methods whose route matches the path and accepts its parameters. */
  const allowedMethods = (url: string, method: string): string[] => {
    // The request's own method never is (GET and HEAD share their route).
    const own = method === 'GET' || method === 'HEAD' ? ['GET', 'HEAD'] : [method];
    return METHODS.filter((candidate) => {
      if (own.includes(candidate)) return false;
      const found = router.find(candidate, url);
      return found !== null && accepts(found.store as Entry, found.params);
    });
  };

  return {
    answer(request, reply) {
      const path = request.url.split('?')[0] ?? '/';
      const allowed = allowedMethods(request.url, request.method);
      const base = { instance: path, request_id: String(request.id) };
      const problem: ProblemDocument =
        allowed.length === 0
          ? {
              type: PROBLEM_TYPE_BASE + 'not-found',
              title: 'Not found',
              status: 404,
              detail: `No route ${request.method} ${path}`,
              ...base,
            }
          : {
              type: PROBLEM_TYPE_BASE + 'method-not-allowed',
              title: 'Method not allowed',
              status: 405,
              detail: `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`,
              ...base,
            };
      if (allowed.length > 0) reply.header('allow', allowed.join(', '));
      return reply.code(problem.status).type('application/problem+json').send(problem);
    },
  };
}
