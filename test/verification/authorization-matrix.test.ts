// The authorization matrix, generated from the route table rather than listed by hand:
//  - every non-public route refuses each kind of bad token with 401;
//  - every route that takes the id of a user-owned object answers another user with 404
//    (never 403, never the data) and leaves the owner's object as it was, and answers a
//    malformed id with the same 404 (a path that names nothing), never a 400 telling ids
//    that cannot exist from ids that belong to someone else;
//  - a route with a path parameter that this file does not classify fails the test, so a
//    new route cannot slip past the matrix.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAccessToken } from '../../src/platform/crypto/access-tokens.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { multipart, uploadRecording } from '../helpers/journals.ts';
import { sql } from 'drizzle-orm';
import { rows } from '../helpers/db.ts';
import { signInOnPhone } from '../helpers/notifications.ts';
import { registerUser, stepUp, type TestUser } from '../helpers/users.ts';

let t: TestApp;
let owner: TestUser;
let other: TestUser;
let ownerToken: string;
let fixtures: Record<
  'session' | 'checkin' | 'journal' | 'notification' | 'device' | 'deviceId' | 'dataExport',
  string
>;

beforeAll(async () => {
  t = await createTestApp();
  owner = await registerUser(t);
  other = await registerUser(t);
  const device = `phone-${randomUUID().slice(0, 8)}`;
  ownerToken = await signInOnPhone(t, owner, device, `fcm-token-${randomUUID()}`);
  const checkin = await t.request('POST', '/v1/emotions', {
    token: ownerToken,
    body: { emotion_type_id: 2, intensity: 5, context: 'standalone' },
  });
  const { journal } = await uploadRecording(t, ownerToken);
  await t.drainJobs(); // the first check-in earns an achievement: an inbox notification
  const [notification] = await rows<{ id: string }>(
    t,
    sql`select id from notifications where user_id = ${owner.id} limit 1`,
  );
  const devices = await t.request('GET', '/v1/users/me/devices', { token: ownerToken });
  const deviceRow = (devices.body.items as { id: string; device_id: string }[]).find(
    (d) => d.device_id === device,
  );
  await stepUp(t, { password: owner.password, accessToken: ownerToken });
  const dataExport = await t.request('POST', '/v1/users/me/export', { token: ownerToken });
  fixtures = {
    session: decodeJwt(ownerToken).sid as string,
    checkin: checkin.body.id,
    journal: journal.id,
    notification: notification!.id,
    device: deviceRow!.id,
    deviceId: device,
    dataExport: dataExport.body.id,
  };
});
afterAll(() => t.close());

/** Routes whose path ids name a user-owned object, and which of the owner's objects to use. */
const OWNED: Record<string, keyof typeof fixtures> = {
  'DELETE /v1/auth/sessions/:id': 'session',
  'GET /v1/emotions/:id': 'checkin',
  'PUT /v1/emotions/:id/notes': 'checkin',
  'GET /v1/journals/:id': 'journal',
  'DELETE /v1/journals/:id': 'journal',
  'GET /v1/journals/:id/audio': 'journal',
  'POST /v1/journals/:id/export': 'journal',
  'PUT /v1/journals/:id/favorite': 'journal',
  'DELETE /v1/journals/:id/favorite': 'journal',
  'POST /v1/journals/:id/restore': 'journal',
  'PUT /v1/journals/:id/title': 'journal',
  'PUT /v1/journals/:id/audio': 'journal',
  'POST /v1/journals/:id/shares': 'journal',
  'GET /v1/journals/:id/shares': 'journal',
  'DELETE /v1/journals/:id/shares/:shareId': 'journal',
  'DELETE /v1/notifications/:id': 'notification',
  'POST /v1/notifications/:id/read': 'notification',
  'DELETE /v1/users/me/devices/:id': 'device',
  'PUT /v1/users/me/devices/:device_id/push-token': 'deviceId',
  'DELETE /v1/users/me/devices/:device_id/push-token': 'deviceId',
  'GET /v1/users/me/export/:id': 'dataExport',
};

/** Routes with path ids that are not a user's objects: shared content, admin, capability links. */
const NOT_OWNED = new Set([
  'GET /v1/tools/:id',
  'PUT /v1/tools/:id/favorite',
  'DELETE /v1/tools/:id/favorite',
  'POST /v1/tools/:id/usage',
  'GET /v1/tools/categories/:id',
  'PUT /v1/admin/tools/:id',
  'DELETE /v1/admin/tools/:id',
  'PUT /v1/admin/tool-categories/:id',
  'DELETE /v1/admin/tool-categories/:id',
  'PATCH /v1/admin/users/:id',
  'GET /v1/journals/exports/:token',
  'GET /v1/users/me/export/download/:token',
  // A share link is its own credential (anyone holding it may open it): test/journals/shares.test.ts.
  'GET /v1/shares/:id',
  'GET /v1/shares/:id/audio',
  'GET /s/:id',
]);

const key = (route: { method: string; url: string }) => `${route.method} ${route.url}`;
const withParams = (url: string, value: string) => url.replace(/:(\w+)/g, value);
/** A valid re-encryption (segment sizes, fresh prefix): only ownership can refuse it. */
const reencryption = () => {
  const audio = randomBytes(100);
  const form = multipart([
    {
      name: 'metadata',
      value: JSON.stringify({
        encryption: {
          algorithm: 'AES-256-GCM-STREAM',
          iv: randomBytes(7).toString('base64'),
          checksum_sha256: createHash('sha256').update(audio).digest('hex'),
        },
      }),
    },
    { name: 'audio', value: audio, filename: 'audio.bin' },
  ]);
  return { body: form.body, headers: { 'content-type': form.contentType } };
};
const someRequest = (method: string, url: string) =>
  method === 'PUT' && url.endsWith('/audio') ? reencryption() : { body: someBody(method, url) };
const someBody = (method: string, url: string) => {
  if (method === 'GET' || method === 'DELETE') return undefined;
  if (url.endsWith('/push-token')) return { push_token: `fcm-${randomUUID()}`, platform: 'ios' };
  // Valid bodies, so that only ownership can refuse them (removing is the simplest change).
  if (url.endsWith('/notes')) return { notes: null };
  if (url.endsWith('/title')) return { title: null };
  return {};
};

describe('authorization matrix', () => {
  it('classifies every route that has a path parameter', () => {
    const parameterised = t.routes.filter((r) => r.url.includes(':')).map(key);
    const unclassified = parameterised.filter((r) => !(r in OWNED) && !NOT_OWNED.has(r));
    expect(unclassified, 'add new routes to OWNED or NOT_OWNED').toEqual([]);
    // And the lists name no route that no longer exists.
    for (const listed of [...Object.keys(OWNED), ...NOT_OWNED])
      expect(parameterised, listed).toContain(listed);
  });

  it('refuses every bad kind of token on every non-public route with 401', async () => {
    const { issuer, audience } = t.platform.config.jwt;
    const claims = decodeJwt(other.accessToken);
    const base = {
      sub: other.id,
      sid: claims.sid as string,
      role: 'user' as const,
      scope: 'app',
      jti: randomUUID(),
    };
    const nowSeconds = Math.floor(t.clock.now().getTime() / 1000);
    const sign = (settings: { issuer: string; audience: string }, issuedAt: number) =>
      signAccessToken(t.platform.keys, { ...settings, ttlSeconds: 900 }, base, issuedAt);
    const [header, payload] = other.accessToken.split('.');
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const tokens: Record<string, string | undefined> = {
      missing: undefined,
      expired: await sign({ issuer, audience }, nowSeconds - 901),
      tampered: `${header}.${b64({ ...decodeJwt(other.accessToken), role: 'admin' })}.${other.accessToken.split('.')[2]}`,
      'alg none': `${b64({ alg: 'none', typ: 'at+jwt' })}.${payload}.`,
      'wrong audience': await sign({ issuer, audience: 'another-api' }, nowSeconds),
      'wrong issuer': await sign({ issuer: 'https://evil.example', audience }, nowSeconds),
      'refresh token as access token': other.refreshToken,
    };
    const protectedRoutes = t.routes.filter((r) => !r.public);
    expect(protectedRoutes.length).toBeGreaterThan(60);
    const failures: string[] = [];
    for (const route of protectedRoutes) {
      for (const [kind, token] of Object.entries(tokens)) {
        // A malformed id names nothing (404), but only a caller with a valid token learns
        // that: the token is checked first.
        for (const id of kind === 'missing' ? [randomUUID(), 'not-an-id'] : [randomUUID()]) {
          const response = await t.request(route.method, withParams(route.url, id), {
            token,
            body: route.method === 'GET' ? undefined : {},
          });
          const problem = String(response.headers['content-type']).includes('problem+json');
          if (response.status !== 401 || !problem)
            failures.push(`${key(route)} (${id}) with ${kind}: ${response.status}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers 404 to another user for every id of a user-owned object, and changes nothing', async () => {
    const failures: string[] = [];
    for (const [route, fixture] of Object.entries(OWNED)) {
      const [method, url] = route.split(' ') as [string, string];
      const response = await t.request(method, withParams(url, fixtures[fixture]), {
        token: other.accessToken,
        ...someRequest(method, url),
      });
      if (response.status !== 404) failures.push(`${route}: ${response.status} ${response.raw}`);
      else if (response.raw.includes(owner.id) || response.raw.includes(owner.email))
        failures.push(`${route}: the 404 names the owner`);
      // The owner's id and a malformed one get the same answer (free-form device ids aside).
      if (fixture !== 'deviceId') {
        const malformed = await t.request(method, withParams(url, 'not-an-id'), {
          token: other.accessToken,
          ...someRequest(method, url),
        });
        if (malformed.status !== 404 || malformed.body.type !== response.body.type)
          failures.push(`${route} (malformed id): ${malformed.status} ${malformed.raw}`);
      }
    }
    expect(failures).toEqual([]);

    // The owner's objects are as they were: nothing deleted, favorited, read or revoked.
    const journal = await t.request('GET', `/v1/journals/${fixtures.journal}`, {
      token: ownerToken,
    });
    expect(journal.status).toBe(200);
    expect(journal.body.is_favorite).toBe(false);
    expect(journal.body.deleted_at ?? null).toBeNull();
    const checkin = await t.request('GET', `/v1/emotions/${fixtures.checkin}`, {
      token: ownerToken,
    });
    expect(checkin.status).toBe(200);
    const [notification] = await rows<{ read: boolean }>(
      t,
      sql`select read_at is not null as read from notifications where id = ${fixtures.notification}`,
    );
    expect(notification).toEqual({ read: false });
    const devices = await t.request('GET', '/v1/users/me/devices', { token: ownerToken });
    expect(devices.status).toBe(200);
    const device = (devices.body.items as { id: string; push_enabled?: boolean }[]).find(
      (d) => d.id === fixtures.device,
    );
    expect(device).toBeDefined();
    const [pushToken] = await rows<{ has: boolean }>(
      t,
      sql`select push_token is not null as has from user_devices where id = ${fixtures.device}`,
    );
    expect(pushToken).toEqual({ has: true });
    const dataExport = await t.request('GET', `/v1/users/me/export/${fixtures.dataExport}`, {
      token: ownerToken,
    });
    expect(dataExport.status).toBe(200);
    // The session whose id the other user tried to revoke still works.
    expect((await t.request('GET', '/v1/users/me', { token: ownerToken })).status).toBe(200);
  });
});
