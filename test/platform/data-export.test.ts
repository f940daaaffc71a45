// The export registry and archive writer on their own (no database: `read` is a stub):
// contributors write into their own folder in order, progress is reported after each, and
// a contributor that fails leaves no archive behind.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import unzipper from 'unzipper';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDataExportRegistry,
  csvStream,
  jsonArrayStream,
  writeExportArchive,
  type ExportContributor,
} from '../../src/platform/data-export.ts';
import type { Database, Tx } from '../../src/platform/db/database.ts';
import { createLocalStorage } from '../../src/platform/storage/local.ts';
import type { ObjectStorage } from '../../src/platform/storage/storage.ts';
import { csvField } from '../../src/platform/csv.ts';

let dir: string;
let storage: ObjectStorage;
const scopes: string[] = [];
const db = {
  asUser: (userId: string, work: (tx: Tx) => Promise<unknown>) => {
    scopes.push(userId);
    return work({} as Tx);
  },
} as unknown as Database;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'amira-export-'));
  storage = createLocalStorage(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const contributor = (
  folder: string,
  write: ExportContributor['write'] = async () => {},
): ExportContributor => ({ folder, about: { es: folder, en: folder }, write });

async function entries(key: string) {
  const chunks: Buffer[] = [];
  for await (const chunk of (await storage.get(key))!) chunks.push(chunk as Buffer);
  const zip = await unzipper.Open.buffer(Buffer.concat(chunks));
  return Object.fromEntries(
    await Promise.all(zip.files.map(async (f) => [f.path, (await f.buffer()).toString()])),
  );
}

describe('data export archive', () => {
  it('refuses a folder registered twice or with a path in its name', () => {
    const registry = createDataExportRegistry();
    registry.register(contributor('tools'));
    expect(() => registry.register(contributor('tools'))).toThrow(/twice/);
    expect(() => registry.register(contributor('../etc'))).toThrow(/plain name/);
    expect(registry.contributors().map((c) => c.folder)).toEqual(['tools']);
  });

  it("writes each contributor's files into its folder, streams included, reporting progress after each", async () => {
    const progress: string[] = [];
    const size = await writeExportArchive(
      { db, storage },
      {
        userId: 'u-1',
        key: 'data-exports/u-1/a.zip',
        rootFiles: { 'README.md': '# hi\n' },
        contributors: [
          contributor('first', async ({ read, files }) => {
            const value = await read(async () => ({ n: 1 }));
            await files.json('value.json', value);
          }),
          contributor('second', async ({ files }) => {
            await files.file('stream.bin', Readable.from([Buffer.from('ab'), Buffer.from('cd')]));
            await files.file('text.txt', 'plain');
          }),
        ],
        onProgress: async (done, total) => void progress.push(`${done}/${total}`),
      },
    );
    expect(progress).toEqual(['1/2', '2/2']);
    expect(scopes).toEqual(['u-1']);
    expect((await storage.head('data-exports/u-1/a.zip'))?.size).toBe(size);
    expect(await entries('data-exports/u-1/a.zip')).toEqual({
      'README.md': '# hi\n',
      'first/value.json': '{\n  "n": 1\n}\n',
      'second/stream.bin': 'abcd',
      'second/text.txt': 'plain',
    });
  });

  it('leaves no archive when a contributor fails, or when a stream it adds breaks', async () => {
    const failing = [
      contributor('broken', async () => {
        throw new Error('database went away');
      }),
      contributor('stream', async ({ files }) => {
        const broken = new Readable({
          read() {
            this.destroy(new Error('storage stream broke'));
          },
        });
        await files.file('audio.bin', broken);
      }),
    ];
    for (const [i, one] of failing.entries()) {
      const key = `data-exports/u-2/${i}.zip`;
      await expect(
        writeExportArchive(
          { db, storage },
          { userId: 'u-2', key, rootFiles: {}, contributors: [one], onProgress: async () => {} },
        ),
      ).rejects.toThrow(/went away|broke/);
      expect(await storage.head(key)).toBeUndefined();
    }
  });
});

describe('CSV', () => {
  it('quotes what needs quoting, doubles quotes, ends lines with CRLF after a byte-order mark', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(7)).toBe('7');
  });

  it('streams pages into one CSV and one JSON array, whatever the number of pages', async () => {
    async function* pages(n: number) {
      for (let p = 0; p < n; p++) yield [{ a: p, b: `x,${p}` }];
    }
    const text = async (stream: AsyncIterable<unknown>) => {
      let all = '';
      for await (const chunk of stream) all += String(chunk);
      return all;
    };
    expect(await text(csvStream(['a', 'b'], pages(2)))).toBe('\uFEFFa,b\r\n0,"x,0"\r\n1,"x,1"\r\n');
    expect(await text(csvStream(['a', 'b'], pages(0)))).toBe('\uFEFFa,b\r\n');
    for (const n of [0, 1, 3]) {
      const json = await text(jsonArrayStream(pages(n)));
      expect(JSON.parse(json)).toEqual(
        Array.from({ length: n }, (_, p) => ({ a: p, b: `x,${p}` })),
      );
      expect(json.endsWith('\n')).toBe(true);
    }
  });
});
