// PostgreSQL stopped (as a crash: pg_ctl -m immediate) and started again, on a private
// cluster: requests during the outage get 503 problem documents quickly, readiness says
// unready, and the same process serves again afterwards without a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { databaseKind } from '../helpers/database.ts';
import { freshToken } from '../helpers/emotions.ts';
import { registerUser } from '../helpers/users.ts';
import { privatePostgres, type PrivatePostgres } from '../helpers/private-services.ts';

describe.runIf(databaseKind() === 'postgres')('PostgreSQL restarted', () => {
  let pg: PrivatePostgres;
  let t: TestApp;
  beforeAll(async () => {
    pg = await privatePostgres();
    t = await createTestApp({ databaseUrl: pg.url });
  }, 120_000);
  afterAll(async () => {
    await t?.close().catch(() => {});
    await pg?.destroy();
  });

  it('answers 503 during the outage and serves again afterwards', async () => {
    const user = await registerUser(t);
    const me = (token: string) => t.request('GET', '/v1/users/me', { token });
    expect((await me(user.accessToken)).status).toBe(200);

    await pg.stop();
    const during = await me(user.accessToken);
    expect(during.status).toBe(503);
    expect(during.headers['retry-after']).toBe('5');
    expect(during.body).toMatchObject({
      type: 'https://amirawellness.com/problems/service-unavailable',
      detail: expect.stringContaining('database'),
    });
    const ready = await t.request('GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.database).toBe('failing');

    await pg.start();
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await me(await freshToken(t, user)).catch(() => ({ status: 0 }))).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(200);
    expect((await t.request('GET', '/health/ready')).status).toBe(200);
  }, 120_000);
});
