// Test users, created through the real API (registration, login), not by writing rows.
import { randomUUID } from 'node:crypto';
import type { TestApp } from './app.ts';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

let counter = 0;

export const uniqueEmail = (label = 'user'): string =>
  `${label}.${++counter}.${randomUUID().slice(0, 8)}@example.com`;

export async function registerUser(
  t: TestApp,
  overrides: Partial<{
    email: string;
    password: string;
    language_preference: 'es' | 'en';
    time_zone: string;
    display_name: string;
  }> = {},
): Promise<TestUser> {
  const email = overrides.email ?? uniqueEmail();
  const password = overrides.password ?? `calm-river-${randomUUID()}`;
  // Each test user signs up from an address of its own, as people do: the per-address
  // registration limit is tested on purpose elsewhere, not hit by accident here.
  const response = await t.request('POST', '/v1/auth/register', {
    ip: `10.${counter % 250}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`,
    body: {
      email,
      password,
      language_preference: overrides.language_preference ?? 'es',
      time_zone: overrides.time_zone ?? 'America/Bogota',
      ...(overrides.display_name ? { display_name: overrides.display_name } : {}),
    },
  });
  if (response.status !== 201)
    throw new Error(`register failed: ${response.status} ${response.raw}`);
  return {
    id: response.body.user.id,
    email,
    password,
    accessToken: response.body.access_token,
    refreshToken: response.body.refresh_token,
  };
}

export async function login(
  t: TestApp,
  user: { email: string; password: string },
  device?: object,
) {
  return t.request('POST', '/v1/auth/login', {
    body: { email: user.email, password: user.password, ...(device ? { device } : {}) },
  });
}

/** Makes a user an administrator the way an operator would (the create-admin CLI path). */
export async function promoteToAdmin(t: TestApp, user: TestUser): Promise<TestUser> {
  await t.modules.auth.auth.createAdmin(user.email);
  const response = await login(t, user);
  return {
    ...user,
    accessToken: response.body.access_token,
    refreshToken: response.body.refresh_token,
  };
}

/** Re-authenticates the user's session (step-up) with the password; sensitive routes then work for 5 minutes. */
export async function stepUp(t: TestApp, user: { password: string; accessToken: string }) {
  const response = await t.request('POST', '/v1/auth/reauthenticate', {
    token: user.accessToken,
    body: { password: user.password },
  });
  if (response.status !== 200)
    throw new Error(`reauthenticate failed: ${response.status} ${response.raw}`);
  return response.body as { reauthenticated_until: string };
}
