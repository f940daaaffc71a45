// Bodies that claim to be multipart but are not (found by the schema fuzzer as a 500):
// refused with a 400 problem document, nothing stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { count } from '../helpers/db.ts';
import { objectsOf } from '../helpers/journals.ts';
import { registerUser, type TestUser } from '../helpers/users.ts';

let t: TestApp;
let user: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  user = await registerUser(t);
});
afterAll(() => t.close());

describe('a malformed multipart upload', () => {
  it.each([
    ['JSON under a multipart content type', '{}'],
    [
      'a body cut short after the first boundary',
      '--x\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n{"title"',
    ],
  ])('is a 400: %s', async (_label, payload) => {
    const response = await t.request('POST', '/v1/journals', {
      token: user.accessToken,
      body: payload,
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
    });
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body.errors).toEqual([
      { pointer: '#/body', message: 'malformed multipart body' },
    ]);
    expect(await count(t, 'journals')).toBe(0);
    expect(await objectsOf(t, user.id)).toEqual([]);
  });
});
