// Building journal uploads as a client would: AES-256-GCM ciphertext of some audio, its
// IV and SHA-256, sent as multipart/form-data (metadata part, then audio part).
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import type { TestApp } from './app.ts';
import { sql } from 'drizzle-orm';
import { rows } from './db.ts';

export interface Encrypted {
  ciphertext: Buffer;
  iv: string;
  checksum: string;
  key: Buffer;
}

export function encrypt(plaintext: Buffer, key: Buffer = randomBytes(32)): Encrypted {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return {
    ciphertext,
    iv: iv.toString('base64'),
    checksum: createHash('sha256').update(ciphertext).digest('hex'),
    key,
  };
}

/** A WAV file of a quiet tone: unmistakably plaintext audio. */
export function wav(seconds = 1, rate = 8000): Buffer {
  const samples = Buffer.alloc(seconds * rate * 2);
  for (let i = 0; i < seconds * rate; i++)
    samples.writeInt16LE(Math.round(3000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples.length, 40);
  return Buffer.concat([header, samples]);
}

export function metadataFor(
  encrypted: Pick<Encrypted, 'iv' | 'checksum'>,
  extra: Record<string, unknown> = {},
) {
  return {
    duration_seconds: 95,
    encryption: { algorithm: 'AES-256-GCM', iv: encrypted.iv, checksum_sha256: encrypted.checksum },
    audio: { format: 'aac', sample_rate: 44100, bit_rate: 64000, channels: 1 },
    ...extra,
  };
}

export function multipart(parts: { name: string; value: Buffer | string; filename?: string }[]) {
  const boundary = `----amira${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}`;
    const type = part.filename ? 'Content-Type: application/octet-stream\r\n' : '';
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`));
    chunks.push(Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export async function upload(
  t: TestApp,
  token: string,
  metadata: unknown,
  audio: Buffer,
  headers: Record<string, string> = {},
) {
  const form = multipart([
    { name: 'metadata', value: JSON.stringify(metadata) },
    { name: 'audio', value: audio, filename: 'audio.bin' },
  ]);
  return t.request('POST', '/v1/journals', {
    token,
    body: form.body,
    headers: { 'content-type': form.contentType, ...headers },
  });
}

/**
 * A `journal_key` as the server sees one: 61 bytes, version 1 (docs/encryption.md). The
 * server cannot tell it from a real wrapped key, and never needs to.
 */
export const wrappedJournalKey = () =>
  Buffer.concat([Buffer.from([1]), randomBytes(60)]).toString('base64');

/** Uploads a fresh recording (random "audio" encrypted under a random key). */
export async function uploadRecording(
  t: TestApp,
  token: string,
  extra: Record<string, unknown> = {},
  size = 4096,
) {
  const encrypted = encrypt(randomBytes(size));
  const response = await upload(t, token, metadataFor(encrypted, extra), encrypted.ciphertext);
  if (response.status !== 201) throw new Error(`upload failed: ${response.status} ${response.raw}`);
  return { journal: response.body, encrypted };
}

/** Every object stored under a user's journals prefix. */
/** Where a journal's ciphertext is stored (each upload has an object id of its own). */
export async function storagePathOf(t: Pick<TestApp, 'platform'>, journalId: string) {
  const [row] = await rows<{ storage_path: string }>(
    t,
    sql`select storage_path from journals where id = ${journalId}`,
  );
  if (!row) throw new Error(`no journal ${journalId}`);
  return row.storage_path;
}

export async function objectsOf(t: TestApp, userId: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of t.platform.storage.list(`journals/${userId}/`)) keys.push(object.key);
  return keys;
}
