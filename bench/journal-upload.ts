// Streaming a journal upload through the API to local storage, against writing the same
// bytes straight to the same disk (the floor), in the same run. The server runs as its own
// process (embedded mode); its peak RSS growth during each upload is read from /proc.
//
// Usage: npm run bench:upload [-- --sizes 10,50,200]
import { spawn } from 'node:child_process';
import { createHash, createCipheriv, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pipeline } from 'node:stream/promises';
import { PassThrough } from 'node:stream';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '10,50,200' } } });
const SIZES_MIB = values.sizes.split(',').map(Number);
const dir = await mkdtemp(path.join(os.tmpdir(), 'amira-upload-bench-'));
const port = 20000 + Math.floor(Math.random() * 20000);
const base = `http://127.0.0.1:${port}`;

/** A ciphertext file of `mib` MiB (AES-256-GCM of zeros: random-looking, as real uploads are). */
async function makeCiphertext(
  mib: number,
): Promise<{ file: string; iv: string; checksum: string; bytes: number }> {
  const file = path.join(dir, `cipher-${mib}.bin`);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', randomBytes(32), iv);
  const hash = createHash('sha256');
  const out = createWriteStream(file);
  const chunk = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < mib; i++) {
    const encrypted = cipher.update(chunk);
    hash.update(encrypted);
    if (!out.write(encrypted)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  const tail = Buffer.concat([cipher.final(), cipher.getAuthTag()]);
  hash.update(tail);
  out.end(tail);
  await new Promise<void>((r) => out.once('finish', () => r()));
  return {
    file,
    iv: iv.toString('base64'),
    checksum: hash.digest('hex'),
    bytes: (await stat(file)).size,
  };
}

const rssKib = async (pid: number, field: 'VmRSS' | 'VmHWM') => {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
};

async function json(method: string, url: string, body?: unknown, token?: string): Promise<any> {
  const response = await fetch(base + url, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return response.json();
}

/** Streams a multipart upload from the file: memory on the client side stays small too. */
function uploadFile(
  token: string,
  c: { file: string; iv: string; checksum: string; bytes: number },
): Promise<number> {
  const boundary = `bench${randomBytes(6).toString('hex')}`;
  const metadata = JSON.stringify({
    duration_seconds: 600,
    encryption: { algorithm: 'AES-256-GCM', iv: c.iv, checksum_sha256: c.checksum },
    audio: { format: 'aac', sample_rate: 44100, bit_rate: 128000, channels: 1 },
  });
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n${metadata}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="audio"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}/v1/journals`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': head.length + c.bytes + tail.length,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    const body = new PassThrough();
    body.pipe(req);
    body.write(head);
    const file = createReadStream(c.file);
    file.on('end', () => body.end(tail));
    file.pipe(body, { end: false });
  });
}

/** The floor: the same bytes to the same disk, fsynced, as local storage does. */
async function writeDirect(source: string): Promise<void> {
  const target = path.join(dir, 'direct.bin');
  await pipeline(createReadStream(source), createWriteStream(target));
  const handle = await open(target, 'r');
  await handle.sync();
  await handle.close();
  await rm(target);
}

const profile = process.env.BENCH_PROFILE_DIR
  ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
  : [];
const server = spawn(process.execPath, [...profile, 'src/main.ts', 'serve'], {
  env: {
    PATH: process.env.PATH ?? '',
    DATA_DIR: path.join(dir, 'data'),
    PORT: String(port),
    LOG_LEVEL: 'warn',
    JOURNAL_MAX_UPLOAD_BYTES: String(512 * 1024 * 1024),
    JOURNAL_QUOTA_BYTES: String(8 * 1024 * 1024 * 1024),
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
try {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/health/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const email = `bench.${Date.now()}@example.com`;
  const registered = await json('POST', '/v1/auth/register', {
    email,
    password: 'a long bench password',
    language_preference: 'en',
    time_zone: 'UTC',
  });
  const token: string = registered.access_token;
  const rows: string[] = [];
  for (const mib of SIZES_MIB) {
    const cipher = await makeCiphertext(mib);
    // Warm both paths once, then measure.
    await writeDirect(cipher.file);
    let t0 = performance.now();
    await writeDirect(cipher.file);
    const directSeconds = (performance.now() - t0) / 1000;

    const before = await rssKib(server.pid!, 'VmRSS');
    let peak = before;
    const sampler = setInterval(() => {
      rssKib(server.pid!, 'VmRSS').then(
        (v) => (peak = Math.max(peak, v)),
        () => {},
      );
    }, 20);
    t0 = performance.now();
    const status = await uploadFile(token, cipher);
    const apiSeconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    if (status !== 201) throw new Error(`upload of ${mib} MiB answered ${status}`);
    const mibs = (s: number) => cipher.bytes / 1024 / 1024 / s;
    rows.push(
      `${String(mib).padStart(5)} MiB  direct ${mibs(directSeconds).toFixed(0).padStart(5)} MiB/s  API ${mibs(
        apiSeconds,
      )
        .toFixed(0)
        .padStart(
          5,
        )} MiB/s  ratio ${(directSeconds / apiSeconds).toFixed(2)}  server RSS growth ${((peak - before) / 1024).toFixed(1)} MiB`,
    );
    await rm(cipher.file);
  }
  console.log(
    `Journal upload through the API to local storage (${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''})`,
  );
  for (const row of rows) console.log(row);
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('close', r));
  await rm(dir, { recursive: true, force: true });
}
