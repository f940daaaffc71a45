// Access rules enumerated from the route table, so a new route is covered the day it is
// added: every non-public route refuses a missing or tampered token, and every route
// that needs a scope refuses a plain user.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { registerUser, stepUp, type TestUser } from '../helpers/users.ts';

let t: TestApp;
let user: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  user = await registerUser(t);
});
afterAll(() => t.close());

const concrete = (url: string) => url.replace(/:(\w+)/g, '00000000-0000-4000-8000-000000000000');

describe('route access', () => {
  it('refuses every non-public route without a token, and with a tampered one', async () => {
    const protectedRoutes = t.routes.filter((r) => !r.public);
    expect(protectedRoutes.length).toBeGreaterThan(15);
    const tampered =
      user.accessToken.slice(0, -4) + (user.accessToken.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    for (const route of protectedRoutes) {
      for (const token of [undefined, tampered]) {
        const response = await t.request(route.method, concrete(route.url), {
          token,
          body: route.method === 'GET' ? undefined : {},
        });
        expect(response.status, `${route.method} ${route.url}`).toBe(401);
        expect(response.headers['content-type'], `${route.method} ${route.url}`).toContain(
          'application/problem+json',
        );
      }
    }
  });

  it('refuses every scoped route to a plain user with 403', async () => {
    const scoped = t.routes.filter((r) => r.scope);
    expect(scoped.length).toBeGreaterThan(0);
    for (const route of scoped) {
      const response = await t.request(route.method, concrete(route.url), {
        token: user.accessToken,
        body: route.method === 'GET' ? undefined : {},
      });
      expect(response.status, `${route.method} ${route.url}`).toBe(403);
    }
  });

  it('lists only intended routes as public', async () => {
    const publicV1 = t.routes
      .filter((r) => r.public && r.url.startsWith('/v1/'))
      .map((r) => `${r.method} ${r.url}`);
    expect(publicV1.sort()).toEqual(
      [
        'GET /v1/auth/key-params',
        'GET /v1/emotions/types',
        'GET /v1/journals/exports/:token',
        'GET /v1/shares/:id',
        'GET /v1/shares/:id/audio',
        // Someone in distress must reach the crisis lines signed out (docs/support.md).
        'GET /v1/support/resources',
        'GET /v1/users/me/export/download/:token',
        'POST /v1/auth/confirm-email-change',
        'POST /v1/auth/login',
        'POST /v1/auth/login/mfa',
        'POST /v1/auth/refresh',
        'POST /v1/auth/register',
        'POST /v1/auth/reset-password',
        'POST /v1/auth/reset-password-confirm',
        'POST /v1/auth/verify-email',
      ].sort(),
    );
  });

  it('refuses every step-up route until the session re-authenticates, then lets it through for 5 minutes', async () => {
    const sensitive = t.routes.filter((r) => r.stepUp).map((r) => `${r.method} ${r.url}`);
    expect(sensitive.sort()).toEqual(
      [
        'DELETE /v1/auth/mfa/totp',
        'DELETE /v1/emotions',
        'DELETE /v1/journals',
        'DELETE /v1/users/me',
        'POST /v1/auth/mfa/recovery-codes',
        'POST /v1/auth/mfa/totp',
        'POST /v1/users/me/email',
        'POST /v1/users/me/export',
      ].sort(),
    );
    const fresh = await registerUser(t);
    const attempt = async (route: (typeof t.routes)[number]) =>
      t.request(route.method, concrete(route.url), {
        token: fresh.accessToken,
        body: route.method === 'GET' ? undefined : {},
      });
    for (const route of t.routes.filter((r) => r.stepUp)) {
      const response = await attempt(route);
      expect(response.status, `${route.method} ${route.url}`).toBe(401);
      expect(response.body.type).toBe(
        'https://amirawellness.com/problems/reauthentication-required',
      );
    }
    const { reauthenticated_until } = await stepUp(t, fresh);
    expect(Date.parse(reauthenticated_until) - t.clock.now().getTime()).toBe(300_000);
    // Within the window the guard lets the request reach its handler (which may then refuse
    // the empty body): anything but reauthentication-required.
    const enrol = t.routes.find((r) => r.url === '/v1/auth/mfa/totp' && r.method === 'POST')!;
    expect((await attempt(enrol)).status).toBe(201);
    t.clock.advance(301_000);
    const late = await t.request('POST', '/v1/auth/reauthenticate', {
      token: fresh.accessToken,
      body: {},
    });
    expect(late.status).toBe(400);
    const again = await attempt(enrol);
    expect(again.status).toBe(401);
    expect(again.body.type).toBe('https://amirawellness.com/problems/reauthentication-required');
  });
});
