import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({
    extend(app) {
      app.get('/v1/test/explode', { config: { public: true } }, async () => {
        throw new Error('secret internal detail: select * from users');
      });
    },
  });
});
afterAll(() => t.close());

describe('problem documents', () => {
  it('answers unknown routes with a 404 problem document', async () => {
    const response = await t.request('GET', '/v1/nothing-here?x=1');
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(response.body).toEqual({
      type: 'https://amirawellness.com/problems/not-found',
      title: 'Not found',
      status: 404,
      detail: 'No route GET /v1/nothing-here',
      instance: '/v1/nothing-here',
      request_id: expect.any(String),
    });
  });

  it('hides the internals of a 500 and logs them instead', async () => {
    const response = await t.request('GET', '/v1/test/explode');
    expect(response.status).toBe(500);
    expect(response.body.type).toBe('https://amirawellness.com/problems/internal-error');
    expect(response.raw).not.toContain('secret internal detail');
    expect(response.raw).not.toContain('select');
    expect(response.raw).not.toMatch(/at .*\.ts:\d+/);
    expect(
      t.logs.some(
        (line) =>
          line.includes('secret internal detail') && line.includes(response.body.request_id),
      ),
    ).toBe(true);
  });

  it('refuses an unsupported content type (415) and an oversized body (413)', async () => {
    const wrongType = await t.request('POST', '/v1/auth/login', {
      body: 'email=a',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(wrongType.status).toBe(415);
    expect(wrongType.body.type).toBe('https://amirawellness.com/problems/unsupported-media-type');
    const huge = await t.request('POST', '/v1/auth/login', {
      body: JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(70 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(huge.status).toBe(413);
    expect(huge.body.type).toBe('https://amirawellness.com/problems/payload-too-large');
  });

  it('accepts a client request id, returns it and logs it; generates one otherwise', async () => {
    const given = await t.request('GET', '/health/live', {
      headers: { 'x-request-id': 'mobile-abc.123' },
    });
    expect(given.headers['x-request-id']).toBe('mobile-abc.123');
    expect(t.logs.some((line) => line.includes('"reqId":"mobile-abc.123"'))).toBe(true);
    const generated = await t.request('GET', '/health/live', {
      headers: { 'x-request-id': 'bad id with spaces\n' },
    });
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('operational routes', () => {
  it('reports liveness and readiness with each dependency', async () => {
    expect((await t.request('GET', '/health/live')).body).toEqual({ status: 'ok' });
    const ready = await t.request('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: 'ready',
      checks: { database: 'ok', storage: 'ok', jobs: 'ok' },
      optional: [],
    });
  });

  it('exposes Prometheus metrics', async () => {
    const response = await t.request('GET', '/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    expect(response.raw).toContain('process_cpu_user_seconds_total');
    expect(response.raw).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/health\/live",status_code="200"\} \d+/,
    );
  });

  it('serves the interactive docs page', async () => {
    const response = await t.request('GET', '/docs/');
    expect(response.status).toBe(200);
    expect(response.raw).toContain('<html');
  });

  it('documents every route in OpenAPI 3.1 with request and response schemas and problem responses', async () => {
    const response = await t.request('GET', '/openapi.json');
    expect(response.status).toBe(200);
    const doc = response.body;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.schemas.ProblemDocument.required).toEqual([
      'type',
      'title',
      'status',
      'detail',
    ]);
    // Problem responses are shared (components.responses): read them where they are.
    const declaredResponse = (operation: any, status: string) => {
      const declared = operation.responses[status];
      const ref = declared?.$ref as string | undefined;
      return ref ? doc.components.responses[ref.replace('#/components/responses/', '')] : declared;
    };
    const documented = t.routes.filter((r) => r.documented && r.url !== '/v1/test/explode');
    expect(documented.length).toBeGreaterThanOrEqual(25);
    const operationIds: string[] = [];
    for (const route of documented) {
      const path = route.url.replace(/:(\w+)/g, '{$1}');
      const operation = doc.paths[path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${path}`).toBeDefined();
      const statuses = Object.keys(operation.responses);
      const success = statuses.find((s) => s.startsWith('2'));
      expect(success, `${route.method} ${path} success`).toBeDefined();
      if (success !== '204')
        expect(
          declaredResponse(operation, success!).content,
          `${route.method} ${path}`,
        ).toBeDefined();
      if (route.url.startsWith('/v1/')) {
        expect(statuses, `${route.method} ${path}`).toEqual(
          expect.arrayContaining(['400', '429', '500']),
        );
        // Errors as the server sends them: application/problem+json, never plain JSON.
        for (const status of statuses.filter((s) => /^[45]/.test(s)))
          expect(
            Object.keys(declaredResponse(operation, status).content),
            `${path} ${status}`,
          ).toEqual(['application/problem+json']);
        expect(JSON.stringify(declaredResponse(operation, '400').content)).toContain(
          '#/components/schemas/ProblemDocument',
        );
      }
      // A stable name for generated clients and the SDK: unique, camelCase.
      expect(operation.operationId, `${route.method} ${path}`).toMatch(/^[a-z][A-Za-z]+$/);
      operationIds.push(operation.operationId);
      expect(operation.security, `${route.method} ${path}`).toEqual(
        route.public ? [] : [{ bearerAuth: [] }],
      );
      if (!route.public) expect(statuses).toContain('401');
      if (route.scope) expect(statuses).toContain('403');
    }
    expect(new Set(operationIds).size).toBe(operationIds.length);
  });
});
