// sdk/test-vectors.json, checked on both sets of primitives: the default (WebCrypto and
// hash-wasm's WebAssembly) and Node's own crypto, standing in for a native React Native
// implementation behind useCryptoPrimitives(). Each vector is made again, byte for byte,
// with its fixed random bytes, and opened again. No database: the pglite project only.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  dataKeyId,
  decryptAudio,
  decryptSegmented,
  decryptText,
  deriveKeys,
  encryptAudio,
  encryptSegmented,
  encryptText,
  fromBase64,
  fromHex,
  importKey,
  keyOfShareLink,
  recoveryKek,
  shareLink,
  toHex,
  unwrapDataKey,
  unwrapJournalKey,
  useCryptoPrimitives,
  wrapDataKey,
  wrapJournalKey,
  type CryptoPrimitives,
  type TextField,
} from '../../sdk/src/index.ts';
import { nodePrimitives } from '../../sdk/src/node-primitives.ts';
import { withScriptedRandom } from '../../sdk/scripts/scripted-random.ts';
import { patternedAudio } from '../../sdk/scripts/patterned-audio.ts';
import { webCryptoPrimitives } from '../../sdk/src/webcrypto.ts';
import { databaseKind } from '../helpers/database.ts';

interface Vectors {
  key_derivation: (Parameters<typeof deriveKeys>[1] & {
    password: string;
    auth_key: string;
    kek: string;
  })[];
  data_key_envelopes: { kek: string; data_key: string; iv: string; envelope: string }[];
  recovery: {
    recovery_key: string;
    recovery_kek: string;
    data_key: string;
    iv: string;
    envelope: string;
  }[];
  data_key_ids: { data_key: string; id: string }[];
  text_envelopes: {
    key: string;
    field: TextField;
    record_id: string;
    text: string;
    iv: string;
    envelope: string;
  }[];
  journal_key_envelopes: {
    data_key: string;
    journal_id: string;
    journal_key: string;
    iv: string;
    envelope: string;
  }[];
  whole_file_audio: {
    key: string;
    iv: string;
    plaintext: string;
    ciphertext: string;
    checksum_sha256: string;
  }[];
  segmented_audio: {
    journal_key: string;
    journal_id: string;
    prefix: string;
    plaintext_length: number;
    segments: number;
    size: number;
    checksum_sha256: string;
    ciphertext?: string;
    last_segment_tag: string;
  }[];
  share_links: { journal_key: string; url: string; link: string }[];
}

const vectors = JSON.parse(readFileSync('sdk/test-vectors.json', 'utf8')) as Vectors;
const implementations: [string, () => CryptoPrimitives][] = [
  ['WebCrypto and WebAssembly (the default)', webCryptoPrimitives],
  ["Node's crypto (standing in for native primitives)", nodePrimitives],
];
const key = (hex: string) => importKey(fromHex(hex));
const exportHex = async (k: object, primitives: CryptoPrimitives) =>
  toHex(await primitives.exportKey(k));

describe.runIf(databaseKind() === 'pglite').each(implementations)(
  'test vectors on %s',
  (_, make) => {
    const primitives = make();
    /** Runs `work` with `bytes` as the next random bytes. */
    async function scripted<T>(bytes: Uint8Array[], work: () => Promise<T>): Promise<T> {
      useCryptoPrimitives(withScriptedRandom(primitives, bytes));
      try {
        return await work();
      } finally {
        useCryptoPrimitives(primitives);
      }
    }
    useCryptoPrimitives(primitives);
    afterAll(() => useCryptoPrimitives(webCryptoPrimitives()));

    it('key derivation: the auth key and the KEK', { timeout: 60_000 }, async () => {
      useCryptoPrimitives(primitives);
      for (const vector of vectors.key_derivation) {
        const { authKey, kek } = await deriveKeys(vector.password, vector);
        expect(authKey).toBe(vector.auth_key);
        // The KEK is not extractable: it proves itself by opening what the vector sealed under it.
        const sealed = await scripted([fromHex('00'.repeat(12))], async () =>
          wrapDataKey(await key('11'.repeat(32)), await key(vector.kek)),
        );
        expect(await exportHex(await unwrapDataKey(sealed, kek), primitives)).toBe('11'.repeat(32));
      }
    });

    it('data key and recovery envelopes, and the data key id', async () => {
      for (const vector of vectors.data_key_envelopes) {
        const dataKey = await key(vector.data_key);
        const envelope = await scripted([fromHex(vector.iv)], async () =>
          wrapDataKey(dataKey, await key(vector.kek)),
        );
        expect(envelope).toBe(vector.envelope);
        const opened = await unwrapDataKey(vector.envelope, await key(vector.kek));
        expect(await exportHex(opened, primitives)).toBe(vector.data_key);
      }
      for (const vector of vectors.recovery) {
        const envelope = await scripted([fromHex(vector.iv)], async () =>
          wrapDataKey(await key(vector.data_key), await recoveryKek(vector.recovery_key)),
        );
        expect(envelope).toBe(vector.envelope);
        const opened = await unwrapDataKey(
          envelope,
          await recoveryKek(vector.recovery_key.toUpperCase()),
        );
        expect(await exportHex(opened, primitives)).toBe(vector.data_key);
      }
      for (const vector of vectors.data_key_ids)
        expect(await dataKeyId(await key(vector.data_key))).toBe(vector.id);
    });

    it('text envelopes: made the same, opened, and refused for another record or field', async () => {
      for (const vector of vectors.text_envelopes) {
        const k = await key(vector.key);
        const envelope = await scripted([fromHex(vector.iv)], () =>
          encryptText(vector.text, k, vector.field, vector.record_id),
        );
        expect(envelope).toBe(vector.envelope);
        expect(await decryptText(envelope, k, vector.field, vector.record_id.toUpperCase())).toBe(
          vector.text,
        );
        await expect(decryptText(envelope, k, vector.field, crypto.randomUUID())).rejects.toThrow();
      }
    });

    it('journal key envelopes', async () => {
      for (const vector of vectors.journal_key_envelopes) {
        const dataKey = await key(vector.data_key);
        const envelope = await scripted([fromHex(vector.iv)], async () =>
          wrapJournalKey(await key(vector.journal_key), dataKey, vector.journal_id),
        );
        expect(envelope).toBe(vector.envelope);
        const opened = await unwrapJournalKey(envelope, dataKey, vector.journal_id);
        expect(await exportHex(opened, primitives)).toBe(vector.journal_key);
      }
    });

    it('audio: whole-file and segmented recordings', async () => {
      for (const vector of vectors.whole_file_audio) {
        const k = await key(vector.key);
        const sealed = await scripted([fromHex(vector.iv)], () =>
          encryptAudio(fromBase64(vector.plaintext), k),
        );
        expect(Buffer.from(sealed.ciphertext).toString('base64')).toBe(vector.ciphertext);
        expect(sealed.checksum).toBe(vector.checksum_sha256);
        const plain = await decryptAudio(fromBase64(vector.ciphertext), sealed.iv, k);
        expect(Buffer.from(plain).toString('base64')).toBe(vector.plaintext);
      }
      for (const vector of vectors.segmented_audio) {
        const k = await key(vector.journal_key);
        const audio = patternedAudio(vector.plaintext_length);
        const sealed = await scripted([fromBase64(vector.prefix)], () =>
          encryptSegmented(audio, k, vector.journal_id),
        );
        const joined = Buffer.concat(sealed.segments);
        expect([sealed.segments.length, sealed.size, sealed.checksum, sealed.prefix]).toEqual([
          vector.segments,
          vector.size,
          vector.checksum_sha256,
          vector.prefix,
        ]);
        if (vector.ciphertext) expect(joined.toString('base64')).toBe(vector.ciphertext);
        expect(joined.subarray(-16).toString('base64')).toBe(vector.last_segment_tag);
        const plain = await decryptSegmented(joined, k, vector.journal_id, vector.prefix);
        expect(Buffer.from(plain).equals(Buffer.from(audio))).toBe(true);
      }
    });

    it('share links carry the journal key in the fragment', async () => {
      for (const vector of vectors.share_links) {
        expect(await shareLink(vector.url, await key(vector.journal_key))).toBe(vector.link);
        expect(await exportHex((await keyOfShareLink(vector.link))!, primitives)).toBe(
          vector.journal_key,
        );
      }
    });
  },
);
