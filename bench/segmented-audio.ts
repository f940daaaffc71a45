// A recording end to end through the SDK and the API, in 64 KiB segments (what the SDK
// does now) against the whole file at once (what it did before: one AES-GCM call, one
// upload, one download, one decryption), in the same run, on the same server. Upload =
// encrypt on the "device" + multipart upload; download = download + decrypt (streamed for
// segments). Every round decrypts back to the original bytes (SHA-256 compared). The server
// runs as its own process (embedded mode). Goal (issue 18): segmented ≥ 0.8 of whole-file.
//
// Usage: npm run bench:segments [-- --mib 50 --rounds 3]
import { spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  AmiraClient,
  decryptAudio,
  encryptAudio,
  generateJournalKey,
  wrapJournalKey,
} from '../sdk/src/index.ts';

const { values } = parseArgs({
  options: { mib: { type: 'string', default: '50' }, rounds: { type: 'string', default: '3' } },
});
const MIB = Number(values.mib);
const ROUNDS = Number(values.rounds);
const dir = await mkdtemp(path.join(os.tmpdir(), 'amira-segments-bench-'));
const port = 20000 + Math.floor(Math.random() * 20000);
const base = `http://127.0.0.1:${port}`;

const server = spawn(process.execPath, ['src/main.ts', 'serve'], {
  env: {
    PATH: process.env.PATH ?? '',
    DATA_DIR: path.join(dir, 'data'),
    PORT: String(port),
    LOG_LEVEL: 'warn',
    JOURNAL_MAX_UPLOAD_BYTES: String(512 * 1024 * 1024),
    JOURNAL_QUOTA_BYTES: String(8 * 1024 * 1024 * 1024),
    CLIENT_KDF_MEMORY_KIB: '19456',
    CLIENT_KDF_ITERATIONS: '2',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const timed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
  const start = performance.now();
  const result = await work();
  return [result, (performance.now() - start) / 1000];
};

try {
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`${base}/health/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const phone = new AmiraClient({ baseUrl: base });
  const pair = await phone.register({
    email: `bench.${randomUUID().slice(0, 8)}@example.com`,
    password: 'a long bench password at dawn',
    language: 'en',
    timeZone: 'UTC',
  });
  const auth = { authorization: `Bearer ${pair.access_token}` };
  const dataKey = (phone as unknown as { dataKey: CryptoKey }).dataKey;
  const audio = new Uint8Array(randomBytes(MIB * 1024 * 1024));
  const expected = sha(audio);
  const details = {
    durationSeconds: 3000,
    format: 'opus',
    sampleRate: 48000,
    bitRate: 128000,
    channels: 1,
  };

  /** The SDK before segments: the whole file in one AES-GCM call, under a journal key. */
  async function wholeFile(): Promise<[number, number]> {
    const id = randomUUID();
    const [uploaded, up] = await timed(async () => {
      const key = await generateJournalKey();
      const encrypted = await encryptAudio(audio, key);
      const form = new FormData();
      form.append(
        'metadata',
        JSON.stringify({
          id,
          journal_key: await wrapJournalKey(key, dataKey, id),
          duration_seconds: details.durationSeconds,
          encryption: {
            algorithm: 'AES-256-GCM',
            iv: encrypted.iv,
            checksum_sha256: encrypted.checksum,
          },
          audio: { format: 'opus', sample_rate: 48000, bit_rate: 128000, channels: 1 },
        }),
      );
      form.append('audio', new Blob([encrypted.ciphertext as BlobPart]), 'audio.bin');
      const response = await fetch(`${base}/v1/journals`, {
        method: 'POST',
        headers: auth,
        body: form,
      });
      if (response.status !== 201) throw new Error(`whole-file upload: ${response.status}`);
      return key;
    });
    const [plain, down] = await timed(async () => {
      const journal = (await (
        await fetch(`${base}/v1/journals/${id}`, { headers: auth })
      ).json()) as {
        encryption: { iv: string };
      };
      const response = await fetch(`${base}/v1/journals/${id}/audio`, { headers: auth });
      return decryptAudio(
        new Uint8Array(await response.arrayBuffer()),
        journal.encryption.iv,
        uploaded,
      );
    });
    if (sha(plain) !== expected) throw new Error('whole-file: wrong bytes back');
    return [up, down];
  }

  async function segmented(): Promise<[number, number]> {
    const [journal, up] = await timed(() => phone.uploadJournal({ audio, ...details }));
    const [plain, down] = await timed(() => phone.downloadJournal(journal.id));
    if (sha(plain) !== expected) throw new Error('segmented: wrong bytes back');
    return [up, down];
  }

  await wholeFile(); // warm-up, both paths
  await segmented();
  const runs = { whole: [] as [number, number][], segmented: [] as [number, number][] };
  for (let round = 0; round < ROUNDS; round++) {
    runs.whole.push(await wholeFile());
    runs.segmented.push(await segmented());
  }
  const rate = (seconds: number) => MIB / seconds;
  const row = (label: string, xs: [number, number][]) => {
    const up = rate(median(xs.map((x) => x[0])));
    const down = rate(median(xs.map((x) => x[1])));
    return { label, up, down };
  };
  const whole = row('whole file (before)', runs.whole);
  const seg = row('64 KiB segments (now)', runs.segmented);
  console.log(
    `Recording of ${MIB} MiB through the SDK and the API (embedded server), medians of ${ROUNDS} rounds, Node ${process.version}`,
  );
  console.log('format                     | upload MiB/s | download MiB/s');
  for (const r of [whole, seg])
    console.log(
      `${r.label.padEnd(26)} | ${r.up.toFixed(1).padStart(12)} | ${r.down.toFixed(1).padStart(14)}`,
    );
  console.log(
    `ratio segmented / whole    | ${(seg.up / whole.up).toFixed(2).padStart(12)} | ${(seg.down / whole.down).toFixed(2).padStart(14)}   (goal ≥ 0.80)`,
  );
  console.log(`Every round decrypted back to the original (${ROUNDS * 2 + 2} downloads checked).`);
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  await rm(dir, { recursive: true, force: true });
}
