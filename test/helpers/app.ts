// Builds the real application for one test file: a fresh database, a temporary data
// directory, a hand-moved clock, logs captured in memory (so tests can prove no secret is
// logged) and, when asked, a loopback SMTP server that receives the mail. A test that only
// exercises services needs no HTTP app: createTestServices (services.ts).
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp, type RouteInfo } from '../../src/app.ts';
import {
  createTestPlatform,
  startModules,
  type TestServices,
  type TestServicesOptions,
} from './services.ts';
import { createApiClient, type ApiClient } from './api.ts';

/** What `request` answers; `api` (test/helpers/api.ts) types `body` from the API document. */
export interface ApiResponse<T = any> {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: T;
  raw: string;
}

export interface RequestOptions {
  token?: string | undefined;
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean>;
  /** The client address the request comes from (rate limits, audit). */
  ip?: string;
}

export interface TestApp extends TestServices {
  app: FastifyInstance;
  routes: RouteInfo[];
  /** The typed client (test/helpers/api.ts); its calls go through `request`. */
  api: ApiClient;
  /** Untyped: `api` is preferred; every request, typed or not, is sent (and its secrets recorded) here. */
  request<T = any>(method: string, url: string, options?: RequestOptions): Promise<ApiResponse<T>>;
}

export interface TestAppOptions extends TestServicesOptions {
  /** Mounts only these modules' routes (split deployment). */
  services?: string[];
  /** Adds routes or hooks before the app is ready (e.g. a route that fails on purpose). */
  extend?: (app: FastifyInstance) => void;
}

/** Fields whose values are secrets or private words, wherever they appear in a JSON body. */
const SECRET_FIELDS = new Set([
  'password',
  'current_password',
  'new_password',
  'access_token',
  'refresh_token',
  'token',
  'envelope',
  'push_token',
  'notes',
  'encrypted_data',
  'secret',
  'otpauth_uri',
  'mfa_token',
  'recovery_code',
  'recovery_codes',
]);

function collectSecrets(value: unknown, into: Set<string>): void {
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return;
  for (const [key, item] of Object.entries(value)) {
    // Short values ("ok", a one-word note) would match log lines by chance.
    if (SECRET_FIELDS.has(key) && typeof item === 'string' && item.length >= 10) into.add(item);
    else if (SECRET_FIELDS.has(key) && Array.isArray(item))
      for (const each of item) collectSecrets({ [key]: each }, into);
    else collectSecrets(item, into);
  }
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const { release, ...base } = await createTestPlatform(options);
  const { platform, logs } = base;
  const secrets = new Set<string>();
  const { app, modules, routes } = await buildApp(platform, { services: options.services });
  options.extend?.(app);
  await startModules(platform, modules);
  await app.ready();

  const request: TestApp['request'] = async (
    method,
    url,
    { token, body, headers = {}, query, ip } = {},
  ) => {
    if (token) secrets.add(token);
    collectSecrets(body, secrets);
    const response = await app.inject({
      method: method as 'GET',
      ...(ip ? { remoteAddress: ip } : {}),
      url,
      ...(query
        ? { query: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])) }
        : {}),
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      ...(body !== undefined ? { payload: body as string } : {}),
    });
    const raw = response.body;
    let parsed: unknown = raw;
    if ((response.headers['content-type'] ?? '').toString().includes('json') && raw.length > 0)
      parsed = JSON.parse(raw);
    collectSecrets(parsed, secrets);
    return { status: response.statusCode, headers: response.headers, body: parsed as never, raw };
  };

  return {
    ...base,
    app,
    modules,
    routes,
    api: createApiClient(request),
    request,
    drainJobs: () => platform.jobs.drain(),
    async close() {
      await app.close();
      // Suite-wide: no password, token, key envelope or note a test sent or received may
      // appear in any log line this app wrote.
      const leaks = [...secrets].filter((secret) => logs.some((line) => line.includes(secret)));
      if (leaks.length > 0)
        throw new Error(
          `secrets in the logs: ${leaks.map((l) => l.slice(0, 12) + '…').join(', ')}`,
        );
      await release();
    },
  };
}

/**
 * An app listening on a loopback port, for clients that speak HTTP (the SDK, a browser),
 * with the cheapest key-derivation parameters the server allows (the SDK derives keys at
 * every sign-in; production's cost would only slow the tests down).
 */
export async function listeningApp(
  env: Record<string, string> = {},
): Promise<{ t: TestApp; api: string }> {
  const t = await createTestApp({
    env: { CLIENT_KDF_MEMORY_KIB: '19456', CLIENT_KDF_ITERATIONS: '2', ...env },
  });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  return { t, api: `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}` };
}
