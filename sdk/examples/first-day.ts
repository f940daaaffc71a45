// The README's example: Lucía's first day with the app. Tested as it is, from the built
// package, in Node.js (test/sdk/package.test.ts) and in Chromium (test/sdk/browser-package.test.ts).
import { AmiraClient, isProblem, type KeyValueStorage } from '@amira/client';

export async function firstDay(
  baseUrl: string,
  email: string,
  audio: Uint8Array,
  storage: KeyValueStorage,
) {
  const client = new AmiraClient({
    baseUrl,
    storage, // localStorage, AsyncStorage, or a Keychain wrapper: the session outlives the app
    device: { id: 'b0a7e1c2-lucia-iphone', name: 'iPhone de Lucía', platform: 'ios' },
    onSignedOut: () => console.info('show the sign-in screen'),
  });

  // 1. Register: the password never leaves the device; a data key is made and wrapped here.
  await client.register({
    email,
    password: 'un río tranquilo al amanecer',
    language: 'es',
    timeZone: 'America/Mexico_City',
    displayName: 'Lucía',
  });

  // 2. Check in: the notes are encrypted on the device before they are sent.
  const { items: emotions } = await client.listEmotionTypes();
  const anxious = emotions.find((emotion) => emotion.code === 'anxiety')!;
  const calm = emotions.find((emotion) => emotion.code === 'calm')!;
  const checkin = await client.createCheckin({
    emotion_type_id: anxious.id,
    intensity: 7,
    context: 'standalone',
    notes: 'Mañana tengo la entrevista y no puedo dejar de pensar en ella.',
  });

  // 3. Record a voice journal: audio and title are encrypted under a key of its own.
  const journal = await client.uploadJournal({
    audio,
    durationSeconds: 1,
    format: 'wav',
    sampleRate: 8000,
    bitRate: 128000,
    channels: 1,
    title: 'Antes de dormir',
    preCheckin: { emotion_type_id: anxious.id, intensity: 7 },
    postCheckin: { emotion_type_id: calm.id, intensity: 5, notes: 'Hablarlo me ayudó.' },
  });

  // 4. Read it back: titles and notes are decrypted here, never on the server.
  const title = await client.readTitle(journal);
  const notes = await client.readNotes(await client.getCheckin({ path: { id: checkin.id } }));

  // 5. The dashboard, and every check-in with an async iterator (pages fetched as needed).
  const dashboard = await client.getDashboard();
  let checkins = 0;
  for await (const item of client.paginate('listCheckins', { query: { limit: 2 } })) {
    if (item.emotion_type_id > 0) checkins++;
  }

  // 6. Errors are typed: a problem document's code, or a network failure.
  let missing = '';
  try {
    await client.getJournal({ path: { id: crypto.randomUUID() } });
  } catch (error) {
    if (isProblem(error, 'not-found')) missing = error.problem.detail;
  }

  return {
    title,
    notes,
    checkins,
    streak: dashboard.streak.current_streak,
    missing,
    journalId: journal.id,
  };
}
