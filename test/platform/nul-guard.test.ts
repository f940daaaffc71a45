// The NUL character cannot be stored by PostgreSQL; requests carrying one are refused with
// a 400 that names the field, before any handler runs (found by the schema fuzzer, as a
// 500 on PUT /v1/users/me/devices/%00/push-token); a path holding one names nothing (404).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { count } from '../helpers/db.ts';
import { registerUser, type TestUser } from '../helpers/users.ts';

let t: TestApp;
let user: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  user = await registerUser(t);
});
afterAll(() => t.close());

describe('NUL characters', () => {
  it('are refused in a body field, with its pointer, and nothing is stored', async () => {
    const response = await t.request('POST', '/v1/emotions', {
      token: user.accessToken,
      body: { emotion_type_id: 3, intensity: 4, context: 'standalone', notes: 'before\u0000after' },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { pointer: '#/body/notes', message: 'must not contain the NUL character' },
    ]);
    expect(await count(t, 'checkins')).toBe(0);
  });

  it('are refused in the query (400) and name nothing in a path segment (404)', async () => {
    // No resource has a NUL in its name: the path names nothing, as any path that cannot
    // (platform/http/unrouted.ts), for this method and the others.
    const path = await t.request('PUT', '/v1/users/me/devices/%00/push-token', {
      token: user.accessToken,
      body: { push_token: 'a'.repeat(40), platform: 'ios' },
    });
    expect(path.status).toBe(404);
    expect(path.body.type).toBe('https://amirawellness.com/problems/not-found');
    expect(await count(t, 'user_devices', sql`push_token is not null`)).toBe(0);
    const query = await t.request('GET', '/v1/tools/search?q=calm%00', {
      token: user.accessToken,
    });
    expect(query.status).toBe(400);
    expect(query.body.errors[0].pointer).toBe('#/query/q');
  });

  it('leave other text alone, accents and emoji included', async () => {
    // The name the person is greeted by: free text the server keeps readable (emails use it).
    const response = await t.request('PATCH', '/v1/users/me', {
      token: user.accessToken,
      body: { display_name: 'Mañana será mejor 🌱' },
    });
    expect(response.status).toBe(200);
    expect(response.body.display_name).toBe('Mañana será mejor 🌱');
  });
});
