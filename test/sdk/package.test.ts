// The SDK as a consumer installs it: the built package (sdk/dist, made in the global setup)
// with its exports map and types, the files npm would publish, the README's example run as
// it is by Node.js from the package, and an import that does no work (a runtime without
// WebCrypto and WebAssembly, like React Native's Hermes, imports it and hooks its own
// primitives). The server is real; one database is enough (the PostgreSQL project).
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listeningApp, type TestApp } from '../helpers/app.ts';
import { databaseKind } from '../helpers/database.ts';
import { wav } from '../helpers/journals.ts';
import { uniqueEmail } from '../helpers/users.ts';

const run = promisify(execFile);
const sdkDir = path.resolve('sdk');

describe.runIf(databaseKind() === 'postgres')('the SDK package', () => {
  let t: TestApp;
  let api: string;
  let consumer: string;

  beforeAll(async () => {
    ({ t, api } = await listeningApp());
    // An app's project: the package installed under node_modules (a link to sdk/).
    consumer = await mkdtemp(path.join(os.tmpdir(), 'amira-sdk-consumer-'));
    await mkdir(path.join(consumer, 'node_modules', '@amira'), { recursive: true });
    await symlink(sdkDir, path.join(consumer, 'node_modules', '@amira', 'client'), 'dir');
    await writeFile(path.join(consumer, 'package.json'), '{ "type": "module" }\n');
    await copyFile('sdk/examples/first-day.ts', path.join(consumer, 'first-day.ts'));
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    if (consumer) await rm(consumer, { recursive: true, force: true });
  });

  it('publishes the build, its types, the vectors, the licence and the README; no sources', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json'], { cwd: sdkDir });
    const [packed] = JSON.parse(stdout) as { files: { path: string }[]; name: string }[];
    const files = packed!.files.map((file) => file.path);
    for (const expected of [
      'package.json',
      'LICENSE',
      'README.md',
      'test-vectors.json',
      'openapi.json',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/client.d.ts',
      'dist/node-primitives.js',
      'dist/browser/amira-client.min.js',
    ])
      expect(files).toContain(expected);
    expect(
      files.filter(
        (file) =>
          /^(src|scripts|examples)\//.test(file) ||
          (file.endsWith('.ts') && !file.endsWith('.d.ts')),
      ),
    ).toEqual([]);
    const manifest = JSON.parse(await readFile('sdk/package.json', 'utf8')) as { license: string };
    expect(manifest.license).toBe('MIT');
  });

  it("type-checks an app's code against the published types, strict, without TypeScript-only imports", async () => {
    await writeFile(
      path.join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          lib: ['es2022', 'dom'],
          types: [],
          skipLibCheck: false,
        },
        files: ['first-day.ts'],
      }),
    );
    const tsc = path.resolve('node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', consumer]).catch(
      (error: { stdout: string }) => ({ stdout: error.stdout, failed: true }),
    );
    expect(result.stdout).toBe('');
  }, 60_000);

  it("runs the README's example in Node.js from the package: register, check in, upload, read, dashboard", async () => {
    await writeFile(
      path.join(consumer, 'run.ts'),
      [
        "import { readFileSync } from 'node:fs';",
        "import { memoryStorage } from '@amira/client';",
        "import { firstDay } from './first-day.ts';",
        'const [baseUrl, email, audioFile] = process.argv.slice(2);',
        'const result = await firstDay(baseUrl!, email!, new Uint8Array(readFileSync(audioFile!)), memoryStorage());',
        'console.log(JSON.stringify(result));',
      ].join('\n'),
    );
    const audioFile = path.join(consumer, 'audio.wav');
    await writeFile(audioFile, wav(1));
    const email = uniqueEmail('first-day');
    const { stdout } = await run(
      process.execPath,
      [path.join(consumer, 'run.ts'), api, email, audioFile],
      {
        cwd: consumer,
      },
    );
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(result).toEqual({
      title: 'Antes de dormir',
      notes: 'Mañana tengo la entrevista y no puedo dejar de pensar en ella.',
      checkins: 3, // the check-in and the recording's pre and post check-ins
      streak: 1,
      missing: 'The journal does not exist',
      journalId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    // What the server holds is ciphertext: the note's words are nowhere in the row.
    const stored = await t.request('GET', `/v1/journals/${result.journalId as string}`, {
      token: await loginToken(email),
    });
    expect(stored.body.title).not.toContain('dormir');
  }, 60_000);

  it('imports without WebCrypto or WebAssembly, and runs on primitives hooked in instead', async () => {
    const vector = JSON.parse(await readFile('sdk/test-vectors.json', 'utf8')).text_envelopes[0];
    const script = [
      // What Hermes lacks: no WebCrypto, no WebAssembly.
      "Object.defineProperty(globalThis, 'crypto', { value: undefined });",
      'delete globalThis.WebAssembly;',
      "const sdk = await import('@amira/client');",
      "const { nodePrimitives } = await import('@amira/client/node');",
      "const before = await sdk.deriveKeys('x', { kdf: 'argon2id', salt: 'AAAAAAAAAAAAAAAAAAAAAA==', memory_kib: 19456, iterations: 2, parallelism: 1 }).then(() => 'derived', (e) => e.message);",
      'sdk.useCryptoPrimitives(nodePrimitives());',
      `const key = await sdk.importKey(sdk.fromHex('${vector.key}'));`,
      `const text = await sdk.decryptText('${vector.envelope}', key, '${vector.field}', '${vector.record_id}');`,
      'const id = await sdk.randomId();',
      'console.log(JSON.stringify({ before, text, id }));',
    ].join('\n');
    await writeFile(path.join(consumer, 'hermes-like.mjs'), script);
    const { stdout } = await run(process.execPath, [path.join(consumer, 'hermes-like.mjs')], {
      cwd: consumer,
    });
    const result = JSON.parse(stdout) as { before: string; text: string; id: string };
    expect(result.before).toMatch(/WebCrypto is not available here: call useCryptoPrimitives/);
    expect(result.text).toBe(vector.text);
    expect(result.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  async function loginToken(email: string): Promise<string> {
    // The example's client keeps its session in its own process; this one signs in afresh
    // with the derived auth key the SDK would send.
    const { AmiraClient } = await import('../../sdk/src/index.ts');
    const client = new AmiraClient({ baseUrl: api });
    const pair = await client.login(email, 'un río tranquilo al amanecer');
    return pair.access_token;
  }
});
