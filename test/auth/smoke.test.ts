import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { registerUser } from '../helpers/users.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ smtp: true });
});
afterAll(() => t.close());

describe('smoke', () => {
  it('registers and reads me', async () => {
    const user = await registerUser(t);
    const me = await t.request('GET', '/v1/users/me', { token: user.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(user.email);
    expect(await t.drainJobs()).toBe(1);
    const mail = await t.inbox!.waitFor(user.email);
    expect(mail.subject).toContain('Confirma');
  });
});
