import { createHmac } from 'node:crypto';
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  jwtVerify,
  SignJWT,
  generateKeyPair,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { registerUser, type TestUser } from '../helpers/users.ts';

let t: TestApp;
let user: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  user = await registerUser(t);
});
afterAll(() => t.close());

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const me = (token: string) => t.request('GET', '/v1/users/me', { token });

describe('access tokens', () => {
  it('carry the documented claims, signed with a key published in the JWKS', async () => {
    const header = decodeProtectedHeader(user.accessToken);
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt', kid: expect.any(String) });
    const claims = decodeJwt(user.accessToken);
    expect(claims).toMatchObject({
      sub: user.id,
      sid: expect.any(String),
      role: 'user',
      scope: 'app',
      jti: expect.any(String),
      iss: 'http://api.test',
      aud: 'amira-api',
      typ: 'access',
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(900);
    const jwks = await t.request('GET', '/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    for (const key of jwks.body.keys) expect(key).not.toHaveProperty('d');
    const verified = await jwtVerify(user.accessToken, createLocalJWKSet(jwks.body), {
      issuer: 'http://api.test',
      audience: 'amira-api',
      currentDate: t.clock.now(),
    });
    expect(verified.payload.sub).toBe(user.id);
  });

  it('is refused without a token, or with a header that is not a bearer token', async () => {
    const none = await t.request('GET', '/v1/users/me');
    expect(none.status).toBe(401);
    expect(none.body.type).toBe('https://amirawellness.com/problems/unauthenticated');
    const basic = await t.request('GET', '/v1/users/me', {
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    });
    expect(basic.status).toBe(401);
    expect(basic.body.type).toBe('https://amirawellness.com/problems/token-invalid');
  });

  it('is refused once expired, with a type telling the client to refresh', async () => {
    const fresh = await registerUser(t);
    t.clock.advance(901_000);
    const response = await me(fresh.accessToken);
    expect(response.status).toBe(401);
    expect(response.body.type).toBe('https://amirawellness.com/problems/token-expired');
  });

  it('is refused once expired even after it was accepted (and remembered) before', async () => {
    const fresh = await registerUser(t);
    expect((await me(fresh.accessToken)).status).toBe(200);
    t.clock.advance(899_000);
    expect((await me(fresh.accessToken)).body.id).toBe(fresh.id);
    t.clock.advance(2_000);
    const response = await me(fresh.accessToken);
    expect(response.status).toBe(401);
    expect(response.body.type).toBe('https://amirawellness.com/problems/token-expired');
  });

  it('is refused when tampered with', async () => {
    const [header, payload, signature] = user.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forged = [header, b64({ ...claims, role: 'admin', scope: 'app admin' }), signature].join(
      '.',
    );
    expect((await me(forged)).status).toBe(401);
    const flipped = signature!.startsWith('A')
      ? 'B' + signature!.slice(1)
      : 'A' + signature!.slice(1);
    expect((await me([header, payload, flipped].join('.'))).status).toBe(401);
  });

  it('is refused with alg none', async () => {
    const claims = decodeJwt(user.accessToken);
    const header = decodeProtectedHeader(user.accessToken);
    const unsigned = `${b64({ ...header, alg: 'none' })}.${b64(claims)}.`;
    const response = await me(unsigned);
    expect(response.status).toBe(401);
    expect(response.body.type).toBe('https://amirawellness.com/problems/token-invalid');
  });

  it('is refused when HMAC-signed with the public key (algorithm confusion)', async () => {
    const jwks = (await t.request('GET', '/.well-known/jwks.json')).body;
    const publicKey = JSON.stringify(jwks.keys[0]);
    const header = { ...decodeProtectedHeader(user.accessToken), alg: 'HS256' };
    const body = `${b64(header)}.${b64(decodeJwt(user.accessToken))}`;
    const signature = createHmac('sha256', publicKey).update(body).digest('base64url');
    expect((await me(`${body}.${signature}`)).status).toBe(401);
  });

  it('is refused when signed by an unknown key, for another audience or issuer', async () => {
    const now = Math.floor(t.clock.now().getTime() / 1000);
    const claims = { ...decodeJwt(user.accessToken), iat: now, exp: now + 900 };
    const { privateKey } = await generateKeyPair('EdDSA');
    const kid = decodeProtectedHeader(user.accessToken).kid!;
    const foreign = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid })
      .sign(privateKey);
    expect((await me(foreign)).status).toBe(401);
    const signWithServerKey = async (changes: Record<string, unknown>, typ = 'at+jwt') =>
      new SignJWT({ ...claims, ...changes })
        .setProtectedHeader({ alg: 'EdDSA', typ, kid })
        .sign(t.platform.keys.active.key);
    // Control: the same construction with unchanged claims is accepted, so the refusals below are about the change.
    expect((await me(await signWithServerKey({}))).status).toBe(200);
    expect((await me(await signWithServerKey({ aud: 'another-api' }))).status).toBe(401);
    expect((await me(await signWithServerKey({ iss: 'https://evil.example' }))).status).toBe(401);
    expect((await me(await signWithServerKey({ typ: 'mfa_challenge' }))).status).toBe(401);
    expect((await me(await signWithServerKey({}, 'JWT'))).status).toBe(401);
  });

  it('is refused when a refresh token is presented as an access token', async () => {
    const response = await me(user.refreshToken);
    expect(response.status).toBe(401);
  });
});
