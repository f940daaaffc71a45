// The storage quota is held before the bytes arrive: an upload reserves room from its
// declared size (or in growing steps when it declares none) and no other upload can take
// that room while its bytes stream. Uploads here are streams the test feeds by hand, so an
// upload can be held half-way while another one tries its luck.
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { count, rows } from '../helpers/db.ts';
import { registerUser, type TestUser } from '../helpers/users.ts';
import { encrypt, metadataFor, objectsOf, upload, type Encrypted } from '../helpers/journals.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const problem = (type: string) => `https://amirawellness.com/problems/${type}`;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { JOURNAL_QUOTA_BYTES: String(3 * MiB) } });
});
afterAll(() => t.close());

/** An upload whose audio bytes the test writes when it wants (multipart, as the app sends). */
function heldUpload(user: TestUser, recording: Encrypted, options: { declareLength: boolean }) {
  const boundary = `----amira${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n` +
      `${JSON.stringify(metadataFor(recording))}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="audio"; filename="audio.bin"\r\n` +
      `Content-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const body = new PassThrough();
  const length = head.length + recording.ciphertext.length + tail.length;
  const response = t.app.inject({
    method: 'POST',
    url: '/v1/journals',
    headers: {
      authorization: `Bearer ${user.accessToken}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      ...(options.declareLength ? { 'content-length': String(length) } : {}),
    },
    payload: body,
  });
  body.write(head);
  let sent = 0;
  return {
    declared: length,
    response,
    /** Writes the next `bytes` of the ciphertext. */
    send(bytes: number) {
      body.write(recording.ciphertext.subarray(sent, sent + bytes));
      sent += bytes;
    },
    finish() {
      body.end(Buffer.concat([recording.ciphertext.subarray(sent), tail]));
    },
  };
}

const reservationsOf = (user: TestUser) =>
  rows<{ bytes: number }>(
    t,
    sql`select bytes::int as bytes from journal_upload_reservations where user_id = ${user.id}`,
  );

/** Waits until the user's reservation satisfies `ready` (the server reads at its own pace). */
async function reservationWhere(user: TestUser, ready: (bytes: number) => boolean) {
  for (let i = 0; i < 200; i++) {
    const [row] = await reservationsOf(user);
    if (row && ready(row.bytes)) return row.bytes;
    await sleep(25);
  }
  throw new Error(`no reservation as expected: ${JSON.stringify(await reservationsOf(user))}`);
}

describe('quota reservations', () => {
  it('holds the declared size from the start: another upload cannot take that room meanwhile', async () => {
    const user = await registerUser(t);
    const earlier = encrypt(randomBytes(2 * MiB));
    expect(
      (await upload(t, user.accessToken, metadataFor(earlier), earlier.ciphertext)).status,
    ).toBe(201);
    const first = heldUpload(user, encrypt(randomBytes(900 * KiB)), { declareLength: true });
    first.send(100 * KiB);
    // Its whole declared size is held although only 100 KiB have arrived.
    expect(await reservationWhere(user, () => true)).toBe(first.declared);
    const second = encrypt(randomBytes(200 * KiB));
    const refused = await upload(t, user.accessToken, metadataFor(second), second.ciphertext);
    expect(refused.status).toBe(413);
    expect(refused.body.type).toBe(problem('storage-quota-exceeded'));
    first.finish();
    expect((await first.response).statusCode).toBe(201);
    expect(await count(t, 'journals', sql`user_id = ${user.id}`)).toBe(2);
    expect(await reservationsOf(user)).toEqual([]);
  });

  it('grows the room of an upload without a declared size in steps, each checked against the quota', async () => {
    const user = await registerUser(t);
    const chunked = heldUpload(user, encrypt(randomBytes(2 * MiB)), { declareLength: false });
    chunked.send(100 * KiB);
    expect(await reservationWhere(user, () => true)).toBe(1 * MiB); // the first step
    chunked.send(1 * MiB);
    expect(await reservationWhere(user, (bytes) => bytes > MiB)).toBe(2 * MiB); // doubled
    // 1 MiB is left beside it: a 1.2 MiB recording does not fit, though nothing is stored yet.
    const other = encrypt(randomBytes(1200 * KiB));
    const refused = await upload(t, user.accessToken, metadataFor(other), other.ciphertext);
    expect(refused.status).toBe(413);
    expect(refused.body.type).toBe(problem('storage-quota-exceeded'));
    chunked.finish();
    const done = await chunked.response;
    expect(done.statusCode, done.body).toBe(201);
    expect(await objectsOf(t, user.id)).toHaveLength(1);
    expect(await reservationsOf(user)).toEqual([]);
  });

  it('refuses a stream that outgrows the quota half-way, and keeps nothing of it', async () => {
    const user = await registerUser(t);
    const stored = encrypt(randomBytes(2 * MiB));
    expect((await upload(t, user.accessToken, metadataFor(stored), stored.ciphertext)).status).toBe(
      201,
    );
    const chunked = heldUpload(user, encrypt(randomBytes(1500 * KiB)), { declareLength: false });
    chunked.finish();
    const refused = await chunked.response;
    expect(refused.statusCode).toBe(413);
    expect(refused.json().type).toBe(problem('storage-quota-exceeded'));
    expect(await objectsOf(t, user.id)).toHaveLength(1);
    expect(await reservationsOf(user)).toEqual([]);
  });

  it('ignores a reservation a killed process left once it expired, and the sweep deletes it', async () => {
    const user = await registerUser(t);
    const now = t.clock.now();
    await t.platform.db.asSystem((tx) =>
      tx.execute(sql`insert into journal_upload_reservations (id, user_id, bytes, expires_at, created_at)
        values (gen_random_uuid(), ${user.id}, ${3 * MiB},
                ${new Date(now.getTime() + 10 * 60_000).toISOString()}::timestamptz,
                ${now.toISOString()}::timestamptz)`),
    );
    const recording = encrypt(randomBytes(100 * KiB));
    const whileLive = await upload(
      t,
      user.accessToken,
      metadataFor(recording),
      recording.ciphertext,
    );
    expect(whileLive.status).toBe(413);
    expect(await t.modules.journals.sweep()).toMatchObject({ reservations: 0 }); // still live
    t.clock.advance(10 * 60_000 + 1);
    const afterExpiry = await upload(
      t,
      user.accessToken,
      metadataFor(recording),
      recording.ciphertext,
    );
    expect(afterExpiry.status).toBe(201);
    expect(await t.modules.journals.sweep()).toMatchObject({ reservations: 1 });
    expect(await reservationsOf(user)).toEqual([]);
  });
});
