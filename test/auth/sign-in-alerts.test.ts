// Sign-in alerts: an email the first time an account signs in from a device or browser,
// in the owner's language, never for a device it knows, and not when turned off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { registerUser, type TestUser } from '../helpers/users.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ smtp: true, start: '2026-11-25T14:05:00Z' });
});
afterAll(() => t.close());

const phone = { device_id: 'phone-4c1d', device_name: 'Pixel de Ana', platform: 'android' };
const tablet = { device_id: 'tablet-77aa', device_name: 'iPad', platform: 'ios' };

async function signIn(user: TestUser, options: { device?: object; agent?: string; ip?: string }) {
  const response = await t.request('POST', '/v1/auth/login', {
    body: {
      email: user.email,
      password: user.password,
      ...(options.device ? { device: options.device } : {}),
    },
    headers: { 'user-agent': options.agent ?? 'AmiraApp/2.3' },
    ip: options.ip ?? '203.0.113.9',
  });
  expect(response.status).toBe(200);
  await t.drainJobs();
  return response;
}

const alertsTo = (email: string) =>
  t.inbox!.messages.filter(
    (m) =>
      m.to.includes(email) &&
      (m.subject.startsWith('Nuevo inicio de sesión') || m.subject.startsWith('New sign-in')),
  );

async function registerOn(device: object, language: 'es' | 'en' = 'es') {
  const response = await t.request('POST', '/v1/auth/register', {
    body: {
      email: `alerts.${Math.random().toString(36).slice(2)}@example.com`,
      password: 'a-quiet-morning-by-the-sea',
      language_preference: language,
      time_zone: 'America/Bogota',
      display_name: 'Ana',
      device,
    },
    ip: '198.51.100.20',
  });
  expect(response.status).toBe(201);
  return {
    id: response.body.user.id as string,
    email: response.body.user.email as string,
    password: 'a-quiet-morning-by-the-sea',
    accessToken: response.body.access_token as string,
    refreshToken: response.body.refresh_token as string,
  };
}

describe('sign-in alerts', () => {
  it('says nothing for the device that created the account, and once for a new one', async () => {
    const user = await registerOn(phone);
    await signIn(user, { device: phone });
    expect(alertsTo(user.email)).toHaveLength(0);

    await signIn(user, { device: tablet, ip: '203.0.113.77' });
    const alert = await t.inbox!.waitFor(user.email, (m) =>
      m.subject.startsWith('Nuevo inicio de sesión'),
    );
    expect(alert.subject).toBe('Nuevo inicio de sesión en tu cuenta de Amira');
    expect(alert.text).toContain('Hola Ana:');
    // The owner's time zone (Bogotá, UTC−5) and language.
    expect(alert.text).toContain('Cuándo: 25 de noviembre de 2026 a las 9:05 (America/Bogota)');
    expect(alert.text).toContain('Dispositivo: iPad (iPhone / iPad)');
    expect(alert.text).toContain('Dirección IP: 203.0.113.77');
    expect(alert.text).toContain('/settings/sessions');

    await signIn(user, { device: tablet });
    await signIn(user, { device: phone });
    expect(alertsTo(user.email)).toHaveLength(1);
  });

  it('tells a browser by its user agent, in English for an English speaker', async () => {
    const user = await registerOn(phone, 'en');
    const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0';
    await signIn(user, { agent: firefox });
    const alert = await t.inbox!.waitFor(user.email, (m) => m.subject.startsWith('New sign-in'));
    expect(alert.text).toContain('Hi Ana,');
    expect(alert.text).toContain(`Device: ${firefox}`);
    expect(alert.text).toContain('November 2026');
    await signIn(user, { agent: firefox });
    expect(alertsTo(user.email)).toHaveLength(1);
  });

  it('sends nothing once the owner turns alerts off', async () => {
    const user = await registerOn(phone);
    const off = await t.request('PATCH', '/v1/users/me', {
      token: user.accessToken,
      body: { sign_in_alerts: false },
    });
    expect(off.status).toBe(200);
    expect(off.body.sign_in_alerts).toBe(false);
    await signIn(user, { device: tablet });
    expect(alertsTo(user.email)).toHaveLength(0);
    // The device is remembered all the same: turning alerts back on does not alert for it.
    await t.request('PATCH', '/v1/users/me', {
      token: user.accessToken,
      body: { sign_in_alerts: true },
    });
    await signIn(user, { device: tablet });
    expect(alertsTo(user.email)).toHaveLength(0);
  });

  it('refuses a setting that is not a boolean, and stores nothing', async () => {
    const user = await registerUser(t);
    const bad = await t.request('PATCH', '/v1/users/me', {
      token: user.accessToken,
      body: { sign_in_alerts: 'sometimes' },
    });
    expect(bad.status).toBe(400);
    const me = await t.request('GET', '/v1/users/me', { token: user.accessToken });
    expect(me.body.sign_in_alerts).toBe(true);
  });
});
