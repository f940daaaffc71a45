// The SDK's migrations in a real browser (issue 18): an account written before end-to-end
// text and segments — a plaintext note, a whole-file recording under the data key with a
// plaintext title — signs in from headless Chromium on another origin (CORS), syncs once
// (migratePlaintext, migrateRecordings), and the server then holds only envelopes and a
// segmented recording that decrypts, in the browser, to the original audio.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Sdk from '../../sdk/src/index.ts';
import { AmiraClient } from '../../sdk/src/index.ts';
import { listeningApp, type TestApp } from '../helpers/app.ts';
import { openSdkPage, sdkPageServer, type SdkPage } from '../helpers/browser.ts';
import { databaseKind } from '../helpers/database.ts';
import { columnsHolding, rows } from '../helpers/db.ts';
import { createCheckin, type FactoryUser } from '../helpers/factories.ts';
import { dataKeyOf, uploadWholeFile } from '../helpers/older-account.ts';
import { installed } from '../helpers/private-services.ts';
import { uniqueEmail } from '../helpers/users.ts';

// One database is enough here: the server side of both migrations runs on both elsewhere.
const runs = databaseKind() === 'postgres' && (await installed('chromium'));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe.runIf(runs)('migrating an older account from headless Chromium', () => {
  let t: TestApp;
  let sdkPage: SdkPage;
  let api: string;

  beforeAll(async () => {
    const { server, origin } = await sdkPageServer();
    ({ t, api } = await listeningApp({ CORS_ORIGINS: origin }));
    sdkPage = await openSdkPage(server, origin);
  }, 60_000);
  afterAll(async () => {
    await sdkPage?.close();
    await t?.close();
  });

  it('re-encrypts notes, titles and recordings in the browser; nothing old is left', async () => {
    const email = uniqueEmail('browser-migrate');
    const password = 'the kettle sings in the morning';
    const note = 'escrito antes: no quería salir de la cama';
    const title = 'grabación de antes: el día del examen';
    const phone = new AmiraClient({ baseUrl: api });
    const registered = await phone.register({
      email,
      password,
      language: 'es',
      timeZone: 'America/Santiago',
    });
    const token = registered.access_token;
    const userId = registered.user.id;

    // What a server before the change held: a plaintext note, and a whole-file recording
    // under the data key itself with a plaintext title.
    const checkin = await createCheckin(
      t,
      // Only who: the factory records it as the service would for this user.
      { id: userId, role: 'user', sessionId: randomUUID() } as FactoryUser,
      { created_at: t.clock.now().toISOString() },
    );
    await rows(
      t,
      sql`update checkins set notes = ${note}, notes_plaintext = true where id = ${checkin.id}`,
    );
    const dataKey = await dataKeyOf(t, phone, { email, password, token });
    const audio = new Uint8Array(randomBytes(100_000));
    const { id: journalId } = await uploadWholeFile(t, token, audio, dataKey);
    await rows(
      t,
      sql`update journals set title = ${title}, title_plaintext = true where id = ${journalId}`,
    );

    // The app, in the browser, signs in and syncs once.
    const synced = await sdkPage.page.evaluate(
      async ({ api, email, password, journalId }) => {
        const { sdk } = window as unknown as { sdk: typeof Sdk };
        const client = new sdk.AmiraClient({ baseUrl: api });
        await client.login(email, password);
        const text = await client.migratePlaintext();
        const recordings = await client.migrateRecordings();
        const journal = await client.getJournal({ path: { id: journalId } });
        const plain = await client.downloadJournal(journalId);
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', plain as BufferSource));
        return {
          text,
          recordings,
          algorithm: journal.encryption.algorithm,
          title: await client.readTitle(journal),
          sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join(''),
        };
      },
      { api, email, password, journalId },
    );
    expect(synced).toEqual({
      text: { notes: 1, titles: 1 },
      recordings: 1,
      algorithm: 'AES-256-GCM-STREAM',
      title,
      sha256: sha256(audio),
    });
    expect(await columnsHolding(t, [note, title])).toEqual([]);
  });
});
