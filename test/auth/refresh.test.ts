import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { rows } from '../helpers/db.ts';
import { registerUser } from '../helpers/users.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const refresh = (token: string) =>
  t.request('POST', '/v1/auth/refresh', { body: { refresh_token: token } });

describe('POST /v1/auth/refresh', () => {
  it('rotates: a new pair whose access token works and whose refresh token works next', async () => {
    const user = await registerUser(t);
    t.clock.advance(60_000);
    const first = await refresh(user.refreshToken);
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(user.refreshToken);
    expect(first.body.access_token).not.toBe(user.accessToken);
    expect(first.body.expires_in).toBe(900);
    expect(
      (await t.request('GET', '/v1/users/me', { token: first.body.access_token })).status,
    ).toBe(200);
    t.clock.advance(60_000);
    const second = await refresh(first.body.refresh_token);
    expect(second.status).toBe(200);
    const [stored] = await rows<{ n: number }>(
      t,
      sql`select count(*)::int as n from refresh_tokens where user_id = ${user.id}`,
    );
    expect(stored?.n).toBe(3);
  });

  it('stores only a hash of refresh tokens', async () => {
    const user = await registerUser(t);
    const hashes = await rows<{ token_hash: Buffer }>(
      t,
      sql`select token_hash from refresh_tokens where user_id = ${user.id}`,
    );
    expect(hashes).toHaveLength(1);
    expect(Buffer.from(hashes[0]!.token_hash).toString('base64url')).not.toBe(user.refreshToken);
    expect(hashes[0]!.token_hash).toHaveLength(32);
  });

  it('gives the same new pair to a retry within the grace window', async () => {
    const user = await registerUser(t);
    const first = await refresh(user.refreshToken);
    t.clock.advance(3_000);
    const retry = await refresh(user.refreshToken);
    expect(retry.status).toBe(200);
    expect(retry.body.refresh_token).toBe(first.body.refresh_token);
    expect(retry.body.access_token).toBe(first.body.access_token);
    expect(retry.body.expires_in).toBe(897);
    // The session survived: the new refresh token still rotates.
    expect((await refresh(first.body.refresh_token)).status).toBe(200);
  });

  it('gives two concurrent refreshes of one token the same pair', async () => {
    const user = await registerUser(t);
    const [a, b] = await Promise.all([refresh(user.refreshToken), refresh(user.refreshToken)]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.body.refresh_token).toBe(b.body.refresh_token);
  });

  it('treats reuse after the grace window as theft: the whole session is revoked', async () => {
    const user = await registerUser(t);
    const rotated = await refresh(user.refreshToken);
    t.clock.advance(6_000);
    const reused = await refresh(user.refreshToken);
    expect(reused.status).toBe(401);
    expect(reused.body.type).toBe('https://amirawellness.com/problems/refresh-token-reused');
    // Both the legitimate new refresh token and the access tokens of the session are dead.
    const afterwards = await refresh(rotated.body.refresh_token);
    expect(afterwards.status).toBe(401);
    expect(afterwards.body.type).toBe('https://amirawellness.com/problems/refresh-token-invalid');
    const me = await t.request('GET', '/v1/users/me', { token: rotated.body.access_token });
    expect(me.status).toBe(401);
    expect(me.body.type).toBe('https://amirawellness.com/problems/session-revoked');
    const [event] = await rows<{ type: string }>(
      t,
      sql`select type from security_events where user_id = ${user.id} and type = 'refresh_reuse_detected'`,
    );
    expect(event?.type).toBe('refresh_reuse_detected');
  });

  it('treats a parent reused after its child was already rotated as theft, even within the window', async () => {
    const user = await registerUser(t);
    const child = await refresh(user.refreshToken);
    expect((await refresh(child.body.refresh_token)).status).toBe(200);
    const reused = await refresh(user.refreshToken);
    expect(reused.body.type).toBe('https://amirawellness.com/problems/refresh-token-reused');
  });

  it('refuses an unknown token and an expired one with refresh-token-invalid', async () => {
    const unknown = await refresh('A'.repeat(43));
    expect(unknown.status).toBe(401);
    expect(unknown.body.type).toBe('https://amirawellness.com/problems/refresh-token-invalid');
    const user = await registerUser(t);
    t.clock.advance(15 * 24 * 60 * 60 * 1000);
    const expired = await refresh(user.refreshToken);
    expect(expired.status).toBe(401);
    expect(expired.body.type).toBe('https://amirawellness.com/problems/refresh-token-invalid');
  });

  it('rejects a malformed body (400)', async () => {
    expect(
      (await t.request('POST', '/v1/auth/refresh', { body: { refresh_token: 'short' } })).status,
    ).toBe(400);
    expect((await t.request('POST', '/v1/auth/refresh', { body: {} })).status).toBe(400);
  });
});
