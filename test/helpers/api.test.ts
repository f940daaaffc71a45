// The typed test client (api.ts): what it sends and reads, that the compiler holds tests to
// the API document (tsc checks every `@ts-expect-error` below: one that no longer catches
// an error is itself an error), and that its requests feed the log-leak check.
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createTestApp, type TestApp } from './app.ts';
import type { Problem, RequestBody } from './api.ts';
import { createUser, emotionIdOf, type FactoryUser } from './factories.ts';
import { encrypt, metadataFor } from './journals.ts';

const PROBLEM = 'https://amirawellness.com/problems/';

let t: TestApp;
let user: FactoryUser;
beforeAll(async () => {
  t = await createTestApp({ start: '2026-05-04T10:00:00Z' });
  user = await createUser(t, { time_zone: 'Europe/Madrid' });
});
afterAll(() => t.close());

describe('the typed client', () => {
  it('sends typed bodies and queries, and types each answer by its status', async () => {
    const token = user.accessToken;
    const body: RequestBody<'post', '/v1/emotions'> = {
      emotion_type_id: emotionIdOf(t, 'joy'),
      intensity: 6,
      context: 'standalone',
    };
    const created = await t.api.post('/v1/emotions', { token, body }).expect(201);
    expectTypeOf(created.body.local_date).toEqualTypeOf<string>();
    expect(created.body).toMatchObject({ intensity: 6, local_date: '2026-05-04' });

    const read = await t.api.get(`/v1/emotions/${created.body.id}`, { token }).expect(200);
    expect(read.body).toEqual(created.body);
    const listed = await t.api.get('/v1/emotions', { token, query: { limit: 1 } }).expect(200);
    expect(listed.body.items.map((checkin) => checkin.id)).toEqual([created.body.id]);

    const refused = await t.api
      .post('/v1/emotions', { token, body: { ...body, intensity: 11 } })
      .expect(400);
    expectTypeOf(refused.body).toEqualTypeOf<Problem>();
    expect(refused.body.errors?.map((e) => e.pointer)).toContain('#/body/intensity');
    // A status the operation does not document is a problem document too.
    const unrouted = await t.api.get('/v1/emotions/not-an-id', { token }).expect(404);
    expect(unrouted.body.type).toBe(`${PROBLEM}not-found`);
  });

  it('narrows by status when the test checks it itself', async () => {
    const response = await t.api.get('/v1/users/me', { token: user.accessToken });
    if (response.status !== 200) throw new Error(response.raw);
    expect(response.body.email).toBe(user.email);
  });

  it('shows the body when the status is not the expected one', async () => {
    await expect(t.api.get('/v1/users/me').expect(200)).rejects.toThrow(
      /GET \/v1\/users\/me: .*401/,
    );
  });

  it('sends multipart bodies, raw payloads and requests no route has', async () => {
    const encrypted = encrypt(Buffer.from('a quiet evening'));
    const uploaded = await t.api
      .post('/v1/journals', {
        token: user.accessToken,
        multipart: [
          {
            name: 'metadata',
            value: JSON.stringify(metadataFor(encrypted, { data_key_id: 'evening' })),
          },
          { name: 'audio', value: encrypted.ciphertext, filename: 'audio.bin' },
        ],
      })
      .expect(201);
    expect(uploaded.body.data_key_id).toBe('evening');

    const cut = await t.api
      .post('/v1/emotions', {
        token: user.accessToken,
        payload: '{"intensity":',
        headers: { 'content-type': 'application/json' },
      })
      .expect(400);
    expect(cut.body.type).toBe(`${PROBLEM}malformed-body`);

    const nowhere = await t.api.raw('GET', '/v1/nothing-here').expect(404);
    expect(nowhere.body.type).toBe(`${PROBLEM}not-found`);
    const wrongMethod = await t.api
      .raw('DELETE', '/v1/emotions/types', { token: user.accessToken })
      .expect(405);
    expect(wrongMethod.headers.allow).toBe('GET, HEAD');
  });

  it('refuses at compile time what the API document does not allow', () => {
    const token = user.accessToken;
    const checkin = { emotion_type_id: 1, intensity: 5, context: 'standalone' } as const;
    const unchecked = [
      // @ts-expect-error: a check-in has no `mood`
      () => t.api.post('/v1/emotions', { token, body: { ...checkin, mood: 'ok' } }),
      // @ts-expect-error: intensity is a number
      () => t.api.post('/v1/emotions', { token, body: { ...checkin, intensity: '5' } }),
      // @ts-expect-error: no route has this path
      () => t.api.get('/v1/emotion', { token }),
      // @ts-expect-error: check-ins are not replaced
      () => t.api.put(`/v1/emotions/${checkin.emotion_type_id}`, { token }),
      // @ts-expect-error: a GET takes no body
      () => t.api.get('/v1/users/me', { token, body: {} }),
      // @ts-expect-error: limit is a number
      () => t.api.get('/v1/emotions', { token, query: { limit: 'ten' } }),
      async () => {
        const me = await t.api.get('/v1/users/me', { token });
        // @ts-expect-error: not narrowed to a status, the body may be a problem document
        return me.body.email;
      },
      async () => {
        const me = await t.api.get('/v1/users/me', { token }).expect(200);
        // @ts-expect-error: the profile has no password hash
        return me.body.password_hash;
      },
    ];
    expect(unchecked).toHaveLength(8);
  });
});

describe('secrets', () => {
  it('records what typed requests send and receive, for the log-leak check at close', async () => {
    const other = await createTestApp();
    const someone = await createUser(other);
    const refreshed = await other.api
      .post('/v1/auth/refresh', { body: { refresh_token: someone.refreshToken } })
      .expect(200);
    other.logs.push(`{"msg":"oops","token":"${refreshed.body.refresh_token}"}`);
    await expect(other.close()).rejects.toThrow(/secrets in the logs/);
    other.logs.length = 0;
    await other.close();
  });
});
