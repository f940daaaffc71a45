// Secrets never reach the logs: run the flows that handle them, then read every line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { registerUser } from '../helpers/users.ts';
import { tokenFromMail } from '../helpers/smtp.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ smtp: true });
});
afterAll(() => t.close());

describe('logs', () => {
  it('hold no password, token or key envelope from any flow', async () => {
    const secrets: string[] = [];
    const user = await registerUser(t);
    secrets.push(user.password, user.accessToken, user.refreshToken);
    const login = await t.request('POST', '/v1/auth/login', {
      body: { email: user.email, password: user.password },
    });
    secrets.push(login.body.access_token, login.body.refresh_token);
    await t.request('POST', '/v1/auth/login', {
      body: { email: user.email, password: 'a wrong password 123' },
    });
    secrets.push('a wrong password 123');
    const refreshed = await t.request('POST', '/v1/auth/refresh', {
      body: { refresh_token: login.body.refresh_token },
    });
    secrets.push(refreshed.body.refresh_token);
    await t.request('PUT', '/v1/users/me/key-envelopes', {
      token: user.accessToken,
      body: { envelopes: [{ label: 'recovery', envelope: 'c2VjcmV0LWVudmVsb3BlLWJ5dGVz' }] },
    });
    secrets.push('c2VjcmV0LWVudmVsb3BlLWJ5dGVz');
    await t.request('POST', '/v1/auth/reset-password', { body: { email: user.email } });
    await t.drainJobs();
    const mail = await t.inbox!.waitFor(user.email, (m) => m.subject.includes('contraseña'));
    const resetToken = tokenFromMail(mail);
    secrets.push(resetToken);
    await t.request('POST', '/v1/auth/reset-password-confirm', {
      body: { token: resetToken, new_password: 'new secret sentence' },
    });
    secrets.push('new secret sentence');
    await t.request('GET', '/v1/users/me', { token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' });
    secrets.push('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.');

    expect(t.logs.length).toBeGreaterThanOrEqual(8);
    const all = t.logs.join('\n');
    for (const secret of secrets) expect(all).not.toContain(secret);
  });
});
