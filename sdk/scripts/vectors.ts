// Writes sdk/test-vectors.json: inputs and expected outputs of every step of the
// end-to-end encryption protocol (docs/encryption.md), so that an implementation in another
// language (Kotlin, Swift) proves it interoperates. Made with Node's own crypto
// (node-primitives.ts) and the SDK's protocol code, the random bytes fixed per vector;
// checked by test/sdk/test-vectors.test.ts on the default primitives too, and by the server.
import { writeFileSync } from 'node:fs';
import {
  dataKeyId,
  deriveKeys,
  encryptAudio,
  encryptText,
  fromHex,
  importKey,
  recoveryKek,
  toBase64,
  toHex,
  wrapDataKey,
  wrapJournalKey,
  type TextField,
} from '../src/crypto.ts';
import { nodePrimitives } from '../src/node-primitives.ts';
import { useCryptoPrimitives } from '../src/primitives.ts';
import { withScriptedRandom } from './scripted-random.ts';
import { encryptSegmented, SEALED_SEGMENT_SIZE } from '../src/segmented.ts';
import { shareLink } from '../src/shares.ts';
import { patternedAudio } from './patterned-audio.ts';

const node = nodePrimitives();
/** Runs `work` with these bytes as the random source. */
async function scripted<T>(bytes: Uint8Array[], work: () => Promise<T>): Promise<T> {
  useCryptoPrimitives(withScriptedRandom(node, bytes));
  try {
    return await work();
  } finally {
    useCryptoPrimitives(node);
  }
}
// Fixed "random" inputs, each a different fill so that a mix-up shows.
const filled = (length: number, seed: number) =>
  Uint8Array.from({ length }, (_, i) => (seed + i * 29) & 0xff);
const hex = (length: number, seed: number) => toHex(filled(length, seed));

useCryptoPrimitives(node);

const keyDerivation = [];
for (const [password, salt, memory_kib, iterations, parallelism] of [
  ['correct horse battery staple', 1, 65536, 3, 1],
  ['mañana será otro día ☀️', 2, 19456, 2, 1],
  // NFKC: the ligature "ﬁ" and a decomposed "é" (e + U+0301) derive as "fi" and "é".
  ['ﬁesta en el cafe\u0301', 3, 19456, 2, 1],
] as const) {
  const params = {
    kdf: 'argon2id' as const,
    salt: toBase64(filled(16, salt)),
    memory_kib,
    iterations,
    parallelism,
  };
  const { authKey } = await deriveKeys(password, params);
  const kekRaw = await node.argon2id(
    new TextEncoder().encode(password.normalize('NFKC')),
    filled(16, salt),
    {
      memoryKib: memory_kib,
      iterations,
      parallelism,
      length: 64,
    },
  );
  keyDerivation.push({ password, ...params, auth_key: authKey, kek: toHex(kekRaw.slice(32)) });
}

const dataKeyHex = hex(32, 40);
const dataKey = await importKey(fromHex(dataKeyHex));
const kek = await importKey(fromHex(keyDerivation[0]!.kek));
const dataKeyEnvelopes = [
  {
    kek: keyDerivation[0]!.kek,
    data_key: dataKeyHex,
    iv: hex(12, 50),
    envelope: await scripted([filled(12, 50)], () => wrapDataKey(dataKey, kek)),
  },
];

const recoveryKey = hex(32, 60).match(/.{8}/g)!.join('-');
const recoveryKekRaw = await node.hkdf(
  fromHex(recoveryKey.replace(/-/g, '')),
  new TextEncoder().encode('amira:recovery-kek'),
  32,
);
const recovery = [
  {
    recovery_key: recoveryKey,
    recovery_kek: toHex(recoveryKekRaw),
    data_key: dataKeyHex,
    iv: hex(12, 70),
    envelope: await scripted([filled(12, 70)], async () =>
      wrapDataKey(dataKey, await recoveryKek(recoveryKey)),
    ),
  },
];

const texts: [TextField, string, string][] = [
  [
    'checkin.notes',
    '0b4f1c9e-6a2d-4e8b-9c1a-3f5e7d9b2c4a',
    'Hoy me costó levantarme, pero salí a caminar y respiré mejor.',
  ],
  ['journal.title', '7e3a5c1b-9d2f-4a6e-8b0c-1d3f5a7c9e2b', 'Sunday walk by the river 🌊'],
  ['share.label', 'c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f', 'Para mi hermana'],
];
const textEnvelopes = [];
for (const [index, [field, recordId, text]] of texts.entries()) {
  const iv = filled(12, 80 + index);
  textEnvelopes.push({
    key: dataKeyHex,
    field,
    record_id: recordId,
    aad: `amira:text:v1:${field}:${recordId}`,
    text,
    iv: toHex(iv),
    envelope: await scripted([iv], () => encryptText(text, dataKey, field, recordId)),
  });
}

const journalId = '5a8c2e4f-7b1d-4f3a-9e6c-0d2b4f6a8c1e';
const journalKeyHex = hex(32, 90);
const journalKey = await importKey(fromHex(journalKeyHex));
const journalKeyEnvelopes = [
  {
    data_key: dataKeyHex,
    journal_id: journalId,
    aad: `amira:journal-key:v1:${journalId}`,
    journal_key: journalKeyHex,
    iv: hex(12, 100),
    envelope: await scripted([filled(12, 100)], () =>
      wrapJournalKey(journalKey, dataKey, journalId),
    ),
  },
];

const shortAudio = filled(48, 110);
const whole = await scripted([filled(12, 120)], () => encryptAudio(shortAudio, dataKey));
const wholeFileAudio = [
  {
    key: dataKeyHex,
    iv: hex(12, 120),
    plaintext: toBase64(shortAudio),
    ciphertext: toBase64(whole.ciphertext),
    checksum_sha256: whole.checksum,
  },
];

const audioKey = toHex(
  await node.hkdf(fromHex(journalKeyHex), new TextEncoder().encode('amira:audio:v2'), 32),
);
const segmentedAudio = [];
for (const [length, seed] of [
  [0, 130],
  [100, 131],
  [65536, 132],
  [2 * 65536 + 1000, 133],
] as const) {
  const encrypted = await scripted([filled(7, seed)], () =>
    encryptSegmented(patternedAudio(length), journalKey, journalId),
  );
  const joined = Buffer.concat(encrypted.segments);
  segmentedAudio.push({
    journal_key: journalKeyHex,
    journal_id: journalId,
    aad: `amira:audio:v2:${journalId}`,
    audio_key: audioKey,
    prefix: encrypted.prefix,
    plaintext_length: length,
    segments: encrypted.segments.length,
    size: encrypted.size,
    checksum_sha256: encrypted.checksum,
    // Whole ciphertexts only when short; the checksum stands for the long ones.
    ...(joined.length <= 256 ? { ciphertext: toBase64(joined) } : {}),
    first_segment_tag: toBase64(
      joined.subarray(
        Math.min(joined.length, SEALED_SEGMENT_SIZE) - 16,
        Math.min(joined.length, SEALED_SEGMENT_SIZE),
      ),
    ),
    last_segment_tag: toBase64(joined.subarray(joined.length - 16)),
  });
}

const shareLinks = [
  {
    journal_key: journalKeyHex,
    url: 'https://api.amirawellness.com/s/9f1e3d5b-7a2c-4e6f-8b1d-3c5e7a9f1b2d',
    link: await shareLink(
      'https://api.amirawellness.com/s/9f1e3d5b-7a2c-4e6f-8b1d-3c5e7a9f1b2d',
      journalKey,
    ),
  },
];

const dataKeyIds = [{ data_key: dataKeyHex, id: await dataKeyId(dataKey) }];

const document = {
  $comment:
    'Test vectors of the Amira end-to-end encryption protocol (docs/encryption.md). Bytes are hex, except base64 in envelope, ciphertext, prefix, salt, plaintext and *_tag; link is a URL whose fragment is the journal key in base64url. Segmented plaintext is generated: byte i = (i * 7 + 3) mod 256. Generated by sdk/scripts/vectors.ts; do not edit by hand.',
  key_derivation: keyDerivation,
  data_key_envelopes: dataKeyEnvelopes,
  recovery,
  data_key_ids: dataKeyIds,
  text_envelopes: textEnvelopes,
  journal_key_envelopes: journalKeyEnvelopes,
  whole_file_audio: wholeFileAudio,
  segmented_audio: segmentedAudio,
  share_links: shareLinks,
};
writeFileSync('sdk/test-vectors.json', JSON.stringify(document, null, 2) + '\n');
