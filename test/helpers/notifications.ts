// Phones and pushes: a user signs in on a device and registers its push token through the
// API; pushes sent by the embedded provider are read back from DATA_DIR/push.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import type { TestApp } from './app.ts';
import type { TestUser } from './users.ts';
import { login } from './users.ts';
import { rows } from './db.ts';

/** Signs in from a phone and registers its push token; returns the access token. */
export async function signInOnPhone(
  t: TestApp,
  user: TestUser,
  deviceId: string,
  pushToken: string,
): Promise<string> {
  const session = await login(t, user, { device_id: deviceId, platform: 'android' });
  expect(session.status, session.raw).toBe(200);
  const token = session.body.access_token as string;
  const registered = await t.request('PUT', `/v1/users/me/devices/${deviceId}/push-token`, {
    token,
    body: { push_token: pushToken, platform: 'android' },
  });
  expect(registered.status, registered.raw).toBe(200);
  return token;
}

export interface RecordedPush {
  token_end: string;
  title: string;
  body: string;
  data: Record<string, string>;
  collapse_id: string;
}

/** Pushes the embedded provider recorded, oldest first. */
export async function recordedPushes(t: TestApp): Promise<RecordedPush[]> {
  const file = path.join(t.dataDir, 'push', 'pushes.jsonl');
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RecordedPush);
}

export function deliveriesOf(t: TestApp, user: TestUser) {
  return rows<{ kind: string; key: string; status: string; reason: string | null }>(
    t,
    sql`select kind, key, status, reason from notification_deliveries
        where user_id = ${user.id} order by created_at, kind, key`,
  );
}

export function inboxOf(t: TestApp, user: TestUser) {
  return rows<{ kind: string; title: string; body: string; pushed: boolean }>(
    t,
    sql`select kind, title, body, pushed_at is not null as pushed from notifications
        where user_id = ${user.id} order by created_at, kind`,
  );
}
