// /v1/users/me/key-envelopes: the wrapped data keys (auth's keys/).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { registerUser } from '../helpers/users.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('/v1/users/me/key-envelopes', () => {
  it('stores envelopes by label; the password label changes only with the password', async () => {
    const user = await registerUser(t);
    const put = await t.request('PUT', '/v1/users/me/key-envelopes', {
      token: user.accessToken,
      body: {
        envelopes: [
          { label: 'password', envelope: 'cGFzc3dvcmQ=' },
          { label: 'recovery', envelope: 'cmVjb3Zlcnk=' },
        ],
      },
    });
    expect(put.status).toBe(200);
    expect(put.body.items.map((e: { label: string }) => e.label)).toEqual(['password', 'recovery']);
    const replaceRecovery = await t.request('PUT', '/v1/users/me/key-envelopes', {
      token: user.accessToken,
      body: { envelopes: [{ label: 'recovery', envelope: 'cmVjb3ZlcnkyMg==' }] },
    });
    expect(replaceRecovery.body.items[1]).toMatchObject({
      label: 'recovery',
      envelope: 'cmVjb3ZlcnkyMg==',
    });
    const locked = await t.request('PUT', '/v1/users/me/key-envelopes', {
      token: user.accessToken,
      body: { envelopes: [{ label: 'password', envelope: 'b3RoZXI=' }] },
    });
    expect(locked.status).toBe(409);
    const stranger = await registerUser(t);
    expect(
      (await t.request('GET', '/v1/users/me/key-envelopes', { token: stranger.accessToken })).body
        .items,
    ).toEqual([]);
  });

  it.each([
    ['a label with capitals', [{ label: 'Recovery', envelope: 'cmVjb3Zlcnk=' }], 400],
    ['an envelope that is not base64', [{ label: 'recovery', envelope: 'not base64!' }], 400],
    ['an envelope over 4 KiB', [{ label: 'recovery', envelope: 'A'.repeat(4100) }], 400],
    [
      'the same label twice',
      [
        { label: 'a', envelope: 'YWFhYQ==' },
        { label: 'a', envelope: 'YmJiYg==' },
      ],
      422,
    ],
    ['no envelope', [], 400],
  ])('rejects %s and stores nothing', async (_label, envelopes, status) => {
    const user = await registerUser(t);
    const response = await t.request('PUT', '/v1/users/me/key-envelopes', {
      token: user.accessToken,
      body: { envelopes },
    });
    expect(response.status).toBe(status);
    expect(
      (await t.request('GET', '/v1/users/me/key-envelopes', { token: user.accessToken })).body
        .items,
    ).toEqual([]);
  });
});
