// Rotating the signing key: put a new key first and keep the old one until the tokens it
// signed have expired. Both replicas (old and new configuration) keep working meanwhile.
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningJwk } from '../../src/platform/crypto/signing-keys.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { registerUser } from '../helpers/users.ts';

let before: TestApp;
let after: TestApp;
let oldKid: string;
let newKid: string;
beforeAll(async () => {
  const oldKey = await generateSigningJwk();
  const newKey = await generateSigningJwk('ES256');
  oldKid = oldKey.kid;
  newKid = newKey.kid;
  before = await createTestApp({ env: { JWT_SIGNING_KEYS: JSON.stringify([oldKey]) } });
  after = await createTestApp({
    env: { JWT_SIGNING_KEYS: JSON.stringify([newKey, oldKey]) },
    replicaOf: before,
  });
});
afterAll(async () => {
  await after.close();
  await before.close();
});

describe('signing key rotation', () => {
  it('accepts tokens of the old key while signing new ones with the new key, and publishes both', async () => {
    const user = await registerUser(before);
    expect(decodeProtectedHeader(user.accessToken).kid).toBe(oldKid);
    expect((await after.request('GET', '/v1/users/me', { token: user.accessToken })).status).toBe(
      200,
    );
    const rotated = await after.request('POST', '/v1/auth/refresh', {
      body: { refresh_token: user.refreshToken },
    });
    expect(decodeProtectedHeader(rotated.body.access_token)).toMatchObject({
      kid: newKid,
      alg: 'ES256',
    });
    expect(
      (await after.request('GET', '/v1/users/me', { token: rotated.body.access_token })).status,
    ).toBe(200);
    // A replica still on the old configuration does not know the new key yet.
    expect(
      (await before.request('GET', '/v1/users/me', { token: rotated.body.access_token })).status,
    ).toBe(401);
    const jwks = await after.request('GET', '/.well-known/jwks.json');
    expect(jwks.body.keys.map((k: { kid: string }) => k.kid)).toEqual([newKid, oldKid]);
  });
});
