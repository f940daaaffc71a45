// Everything a person writes is encrypted on their device (issue 18, docs/encryption.md).
// After a realistic session through the SDK — check-ins with notes, a recording with a title
// and notes around it, a share link labelled with who it is for, text written before
// encryption and migrated by the SDK, an old-format recording — no title, note or label is
// readable anywhere the server keeps things: any text or JSON column of any table, the
// logs, the object storage. The SDK reads every one back.
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmiraClient, type Checkin } from '../../sdk/src/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { columnsHolding, rows } from '../helpers/db.ts';
import { createCheckin, type FactoryUser } from '../helpers/factories.ts';
import { dataKeyOf, uploadWholeFile } from '../helpers/older-account.ts';
import { wav } from '../helpers/journals.ts';
import { uniqueEmail } from '../helpers/users.ts';

let t: TestApp;
let baseUrl: string;
beforeAll(async () => {
  t = await createTestApp({
    env: { CLIENT_KDF_MEMORY_KIB: '19456', CLIENT_KDF_ITERATIONS: '2' },
  });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
afterAll(() => t.close());

// Each phrase is distinctive, so a match anywhere is a leak and not a coincidence.
const words = {
  note: 'no puedo perdonar a mi padre, y hoy lo vi en la calle',
  emoji: 'Mañana será mejor 🌱 — “comillas”, acentos',
  title: 'why I cannot forgive my father',
  preNote: 'antes de grabar: el pecho apretado',
  postNote: 'después de grabar: respiro un poco mejor',
  legacyNote: 'escrito antes del cifrado: tengo miedo de volver a casa',
  legacyTitle: 'grabación vieja: la noche del hospital',
  shareLabel: 'para la psicóloga Dra. Ferrández, sesión del jueves',
};
const phrases = Object.values(words);

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('private by construction: text', () => {
  it('keeps no title or note readable in the database, the logs or storage; the SDK reads them all', async () => {
    const email = uniqueEmail('private');
    const password = 'a long quiet river at dawn';
    const phone = new AmiraClient({ baseUrl });
    const registered = await phone.register({
      email,
      password,
      language: 'es',
      timeZone: 'America/Bogota',
    });
    const userId = registered.user.id;

    // Check-ins with notes, one of them retried with an Idempotency-Key.
    const noted = await phone.createCheckin(
      { emotion_type_id: 4, intensity: 7, context: 'standalone', notes: words.note },
      `checkin-${randomUUID()}`,
    );
    const withEmoji = await phone.createCheckin({
      emotion_type_id: 2,
      intensity: 3,
      context: 'daily_checkin',
      notes: words.emoji,
    });
    // A recording with a title and notes before and after.
    const audio = new Uint8Array(wav(1));
    const journal = await phone.uploadJournal({
      audio,
      durationSeconds: 1,
      format: 'wav',
      sampleRate: 8000,
      bitRate: 128000,
      channels: 1,
      title: words.title,
      preCheckin: { emotion_type_id: 4, intensity: 8, notes: words.preNote },
      postCheckin: { emotion_type_id: 2, intensity: 4, notes: words.postNote },
    });
    // Shared with a therapist, with a label saying who for.
    const { share } = await phone.createShare(journal, { label: words.shareLabel });

    // What a server before this change kept: a plaintext note, and an old-format recording
    // (audio under the data key itself, no journal key) with a plaintext title — as the
    // migration left them, marked.
    const legacy = await createCheckin(
      t,
      // Only who: the factory records it as the service would for this user.
      { id: userId, role: 'user', sessionId: randomUUID() } as FactoryUser,
      { created_at: t.clock.now().toISOString() },
    );
    await rows(
      t,
      sql`update checkins set notes = ${words.legacyNote}, notes_plaintext = true
          where id = ${legacy.id}`,
    );
    const dataKey = await dataKeyOf(t, phone, {
      email,
      password,
      token: registered.access_token,
    });
    const oldAudio = new Uint8Array(wav(1));
    const oldJournal = await uploadWholeFile(t, registered.access_token, oldAudio, dataKey, {
      duration_seconds: 1,
    });
    await rows(
      t,
      sql`update journals set title = ${words.legacyTitle}, title_plaintext = true
          where id = ${oldJournal.id}`,
    );
    // The scan sees them (the check-ins' partition holds the note too).
    expect(await columnsHolding(t, [words.legacyNote, words.legacyTitle])).toEqual(
      expect.arrayContaining([
        `public.checkins.notes: ${words.legacyNote}`,
        `public.journals.title: ${words.legacyTitle}`,
      ]),
    );

    // The app syncs once.
    expect(await phone.migratePlaintext()).toEqual({ notes: 1, titles: 1 });
    expect(await phone.migratePlaintext()).toEqual({ notes: 0, titles: 0 });
    await t.drainJobs(); // activities, achievements, notifications: they must not copy text either

    // Nowhere in the database…
    expect(await columnsHolding(t, phrases)).toEqual([]);
    // …nor in the logs…
    const logs = t.logs.join('\n');
    for (const phrase of phrases) expect(logs).not.toContain(phrase);
    // …nor in storage (recordings, and anything else written under the data directory).
    const files = await filesUnder(t.dataDir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const bytes = await readFile(file);
      for (const phrase of phrases) expect(bytes.includes(Buffer.from(phrase))).toBe(false);
    }

    // The person's phone reads everything back.
    const listed = await fetch(`${baseUrl}/v1/emotions?limit=100`, {
      headers: { authorization: `Bearer ${registered.access_token}` },
    }).then((r) => r.json() as Promise<{ items: Checkin[] }>);
    const texts = new Map<string, string | null>();
    for (const checkin of listed.items) {
      expect(checkin.plaintext_fields).toEqual([]);
      texts.set(checkin.id, await phone.readNotes(checkin));
    }
    expect(texts.get(noted.id)).toBe(words.note);
    expect(texts.get(withEmoji.id)).toBe(words.emoji);
    expect(texts.get(legacy.id)).toBe(words.legacyNote);
    expect(texts.get(journal.checkins.pre!.id)).toBe(words.preNote);
    expect(texts.get(journal.checkins.post!.id)).toBe(words.postNote);
    expect(await phone.readTitle(await phone.getJournal({ path: { id: journal.id } }))).toBe(
      words.title,
    );
    expect((await phone.listShares(journal.id)).map((s) => [s.id, s.label])).toEqual([
      [share.id, words.shareLabel],
    ]);
    expect(await phone.readTitle(await phone.getJournal({ path: { id: oldJournal.id } }))).toBe(
      words.legacyTitle,
    );
    // Both recordings decrypt: the new one under its journal key, the old one under the data key.
    expect(Buffer.from(await phone.downloadJournal(journal.id)).equals(audio)).toBe(true);
    expect(Buffer.from(await phone.downloadJournal(oldJournal.id)).equals(oldAudio)).toBe(true);
  });
});
