// Builds the HTTP application from a platform and the modules to mount. server.ts (via
// main.ts) only listens and shuts down; tests build the same app and call inject().
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger, { type StaticDocumentSpec } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Platform } from './platform/platform.ts';
import { ProblemDocument } from './platform/errors.ts';
import { createValidatorCompiler } from './platform/http/validation.ts';
import { answerWithProblem, registerErrorHandling } from './platform/http/error-handler.ts';
import {
  registerHealthRoutes,
  registerOperatorRoutes,
} from './platform/http/operational-routes.ts';
import { trackRoutes } from './platform/http/unrouted.ts';
import { registerJsonBodyParser } from './platform/http/json-body.ts';
import { registerCachePolicy } from './platform/http/cache-policy.ts';
import { registerPlatformMetrics, registerRequestMetrics } from './platform/http/metrics.ts';
import { registerNulGuard } from './platform/http/nul-guard.ts';
import { registerRequestTracing } from './platform/http/tracing.ts';
import { registerGateway } from './platform/http/gateway.ts';
import { createModules, moduleComponents, type Modules } from './modules/index.ts';
import { platformComponents } from './platform/http/schemas.ts';
import {
  collectComponents,
  registerComponents,
  type Components,
} from './platform/http/openapi/components.ts';
import { registerApiDocument } from './platform/http/openapi/document.ts';
import { createSerializerCompiler } from './platform/http/serializer.ts';

export interface AppOptions {
  /** Mount only these modules' routes (default: all). */
  services?: string[] | undefined;
  /** Whether this process works the job queues (default: JOBS=inprocess). */
  runsJobs?: boolean;
}

export interface RouteInfo {
  method: string;
  url: string;
  public: boolean;
  scope: string | undefined;
  /** Needs a recent re-authentication of the session (sensitive operations). */
  stepUp: boolean;
  documented: boolean;
}

export interface BuiltApp {
  app: FastifyInstance;
  modules: Modules;
  /** Every route mounted, with its access rule (the authorization tests enumerate it). */
  routes: RouteInfo[];
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const JSON_BODY_LIMIT = 64 * 1024;

export async function buildApp(platform: Platform, options: AppOptions = {}): Promise<BuiltApp> {
  const modules = await createModules(platform);
  const selected = options.services
    ? modules.all.filter((m) => options.services?.includes(m.name))
    : modules.all;
  const unknown = (options.services ?? []).filter(
    (name) => !modules.all.some((m) => m.name === name),
  );
  if (unknown.length > 0) throw new Error(`unknown service(s): ${unknown.join(', ')}`);

  // Readiness asks only for what this process needs: storage for the journal routes or for
  // jobs (exports, purges); the job queue only where jobs run.
  const runsJobs = options.runsJobs ?? platform.config.jobs === 'inprocess';
  const storage = platform.readiness.get('storage');
  if (storage) storage.required = runsJobs || selected.some((m) => m.name === 'journals');
  const jobsCheck = platform.readiness.get('jobs');
  if (jobsCheck) jobsCheck.required = runsJobs;

  const app = createFastify(platform, apiComponents);
  registerNulGuard(app);
  // First, so that requests the gateway refuses (429, 503) have spans too.
  if (platform.tracing) registerRequestTracing(app, platform.tracing.tracer);
  await registerGateway(app, platform.config, platform.requestBudgets);

  registerCachePolicy(app);
  registerRequestMetrics(app, platform.metrics);
  registerPlatformMetrics(platform.metrics, platform.db, platform.jobs);
  // One lean log line per request, after the response (logging is not free: DESIGN.md).
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unknown',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
  });

  await registerApiDocument(app, { serverUrl: platform.config.publicBaseUrl });
  // With an operations listener (production by default), /docs, /openapi.json and /metrics
  // are served there only (buildOperationsApp) and the public port answers 404 for them.
  const operatorRoutesHere = platform.config.ops === undefined;
  if (operatorRoutesHere) await app.register(swaggerUi, { routePrefix: '/docs' });

  const routes: RouteInfo[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      routes.push({
        method,
        url: route.url,
        public: route.config?.public === true || !route.url.startsWith('/v1/'),
        scope: route.config?.scope,
        stepUp: route.config?.stepUp === true,
        documented: route.schema?.hide !== true,
      });
    }
  });
  modules.auth.installGuard(app);
  registerHealthRoutes(app, platform);
  if (operatorRoutesHere) registerOperatorRoutes(app, platform, () => app.swagger());
  for (const module of selected) await module.routes(app);
  return { app, modules, routes };
}

/**
 * The operations listener (OPS_HOST:OPS_PORT): health, Prometheus metrics and, given the
 * API app, its OpenAPI document and docs page. Never behind the public gateway.
 */
export async function buildOperationsApp(
  platform: Platform,
  api?: FastifyInstance,
): Promise<FastifyInstance> {
  const ops = createFastify(platform);
  registerHealthRoutes(ops, platform);
  let openapi: (() => unknown) | undefined;
  if (api) {
    await api.ready();
    const document = api.swagger();
    openapi = () => document;
    // Served as it is; @fastify/swagger types a static document as OpenAPI 2 or 3.0 only.
    const asStatic = document as unknown as StaticDocumentSpec['document'];
    await ops.register(swagger, { mode: 'static', specification: { document: asStatic } });
    await ops.register(swaggerUi, { routePrefix: '/docs' });
  }
  registerOperatorRoutes(ops, platform, openapi);
  return ops;
}

const ROUTER_OPTIONS = { ignoreTrailingSlash: true, maxParamLength: 200 };

/** The API's named shapes (components.schemas): every module's, whichever are mounted. */
const apiComponents = collectComponents([...platformComponents, ...moduleComponents]);
/** The operations listener's routes name only the problem document. */
const operationsComponents = collectComponents([ProblemDocument]);

/** Fastify as every listener of ours has it: logger, request ids, parsers, problem documents. */
function createFastify(
  platform: Platform,
  components: Components = operationsComponents,
): FastifyInstance {
  const trustProxy = platform.config.trustProxy;
  const loggerInstance: FastifyBaseLogger = platform.log;
  const app: FastifyInstance = Fastify({
    loggerInstance,
    logController: new LogController({ disableRequestLogging: true }),
    // A number means "trust this many proxy hops" (proxy-addr semantics).
    trustProxy:
      typeof trustProxy === 'number'
        ? (_address: string, hop: number) => hop < trustProxy
        : trustProxy,
    bodyLimit: JSON_BODY_LIMIT,
    requestIdHeader: false,
    genReqId: (request) => {
      const header = request.headers['x-request-id'];
      return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
    },
    routerOptions: ROUTER_OPTIONS,
    ajv: { customOptions: { strict: false } },
    frameworkErrors: (error, request, reply) => {
      void answerWithProblem(error, request, reply);
    },
  });

  registerComponents(app, components);
  const compile = createValidatorCompiler(components.schemas);
  app.setValidatorCompiler(compile);
  app.setSerializerCompiler(createSerializerCompiler(components.schemas));
  registerErrorHandling(app, trackRoutes(app, ROUTER_OPTIONS, compile));
  registerJsonBodyParser(app);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  return app;
}
