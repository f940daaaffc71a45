// The SDK in a real browser: headless Chromium (Debian's `chromium`, driven by
// playwright-core) loads the SDK bundled by esbuild, as a web app would, and the protocol
// holds across runtimes — envelopes and wrapped keys made in Node open in the browser and
// the other way round, and a segmented recording streams and seeks (HTTP Range) there.
// No database involved: it runs once, in the PostgreSQL project.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SEGMENT_SIZE,
  decryptSegmented,
  decryptText,
  encryptSegmented,
  encryptText,
  keyOfShareLink,
  unwrapJournalKey,
  wrapJournalKey,
} from '../../sdk/src/index.ts';
import type * as Sdk from '../../sdk/src/index.ts';
import { databaseKind } from '../helpers/database.ts';
import { openSdkPage, sdkPageServer, type SdkPage } from '../helpers/browser.ts';
import { installed } from '../helpers/private-services.ts';

const subtle = globalThis.crypto.subtle;
const rawKey = () => new Uint8Array(randomBytes(32));
const importKey = (raw: Uint8Array) =>
  subtle.importKey('raw', raw as Uint8Array<ArrayBuffer>, 'AES-GCM', true, ['encrypt', 'decrypt']);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const runs = databaseKind() === 'postgres' && (await installed('chromium'));

describe.runIf(runs)('the SDK in headless Chromium', () => {
  let sdkPage: SdkPage;
  let page: Page;
  // A segmented recording made in Node, served to the page with Range support.
  const journalId = randomUUID();
  const audioKey = rawKey();
  const audio = new Uint8Array(randomBytes(4 * SEGMENT_SIZE + 999));
  let served: { bytes: Buffer; prefix: string };

  beforeAll(async () => {
    const sealed = await encryptSegmented(audio, await importKey(audioKey), journalId);
    served = { bytes: Buffer.concat(sealed.segments), prefix: sealed.prefix };
    const { server, origin } = await sdkPageServer((request, response) => {
      if (request.url !== '/audio.bin') return false;
      const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
      const start = range ? Number(range[1]) : 0;
      response
        .writeHead(range ? 206 : 200, { 'content-type': 'application/octet-stream' })
        .end(served.bytes.subarray(start));
      return true;
    });
    sdkPage = await openSdkPage(server, origin);
    page = sdkPage.page;
  }, 60_000);
  afterAll(() => sdkPage?.close());

  it('opens text and journal keys sealed in Node, and seals what Node opens', async () => {
    const key = rawKey();
    const id = randomUUID();
    const note = 'Hoy lloré en el bus, y está bien 🌧️';
    const fromNode = await encryptText(note, await importKey(key), 'checkin.notes', id);
    const journalKey = rawKey();
    const wrapped = await wrapJournalKey(await importKey(journalKey), await importKey(key), id);
    const answer = await page.evaluate(
      async ({ key, id, fromNode, wrapped }) => {
        const { sdk } = window as unknown as { sdk: typeof Sdk };
        const dataKey = await crypto.subtle.importKey('raw', new Uint8Array(key), 'AES-GCM', true, [
          'encrypt',
          'decrypt',
        ]);
        const opened = await sdk.decryptText(fromNode, dataKey, 'checkin.notes', id);
        const unwrapped = await sdk.unwrapJournalKey(wrapped, dataKey, id);
        const raw = [
          ...new Uint8Array(await crypto.subtle.exportKey('raw', unwrapped as CryptoKey)),
        ];
        const title = await sdk.encryptText(
          'Mi madre, en la cocina',
          unwrapped,
          'journal.title',
          id,
        );
        let moved = 'opened';
        await sdk
          .decryptText(fromNode, dataKey, 'journal.title', id)
          .catch(() => (moved = 'refused'));
        return { opened, raw, title, moved };
      },
      { key: [...key], id, fromNode, wrapped },
    );
    expect(answer.opened).toBe(note);
    expect(Buffer.from(answer.raw).equals(Buffer.from(journalKey))).toBe(true);
    expect(answer.moved).toBe('refused');
    const unwrapped = await unwrapJournalKey(wrapped, await importKey(key), id);
    expect(await decryptText(answer.title, unwrapped, 'journal.title', id)).toBe(
      'Mi madre, en la cocina',
    );
  });

  it('builds a share link in the browser whose fragment Node reads back as the journal key', async () => {
    const journalKey = rawKey();
    const url = `https://links.amira.test/s/${randomUUID()}`;
    const link = await page.evaluate(
      async ({ key, url }) => {
        const { sdk } = window as unknown as { sdk: typeof Sdk };
        const imported = await crypto.subtle.importKey(
          'raw',
          new Uint8Array(key),
          'AES-GCM',
          true,
          ['encrypt'],
        );
        return sdk.shareLink(url, imported);
      },
      { key: [...journalKey], url },
    );
    expect(link.startsWith(`${url}#`)).toBe(true);
    const back = await keyOfShareLink(link);
    const raw = new Uint8Array(await crypto.subtle.exportKey('raw', back as CryptoKey));
    expect(Buffer.from(raw).equals(Buffer.from(journalKey))).toBe(true);
    expect(await keyOfShareLink(url)).toBeNull();
  });

  it('streams a segmented recording, seeks into it with a Range, and seals one Node opens', async () => {
    const answer = await page.evaluate(
      async ({ key, journalId, prefix, from }) => {
        const { sdk } = window as unknown as { sdk: typeof Sdk };
        const journalKey = await crypto.subtle.importKey(
          'raw',
          new Uint8Array(key),
          'AES-GCM',
          true,
          ['encrypt', 'decrypt'],
        );
        const hex = async (stream: ReadableStream<Uint8Array>) =>
          [
            ...new Uint8Array(
              await crypto.subtle.digest('SHA-256', await new Response(stream).arrayBuffer()),
            ),
          ]
            .map((b) => b.toString(16).padStart(2, '0'))
            .join('');
        const whole = await fetch('/audio.bin');
        const all = await hex(
          whole.body!.pipeThrough(sdk.decryptSegmentedStream(journalKey, journalId, prefix)),
        );
        const { index, byte } = sdk.segmentAt(from);
        const tail = await fetch('/audio.bin', { headers: { range: `bytes=${byte}-` } });
        const plain = await new Response(
          tail.body!.pipeThrough(sdk.decryptSegmentedStream(journalKey, journalId, prefix, index)),
        ).arrayBuffer();
        const fromSeek = await hex(
          new Blob([plain.slice(from - index * sdk.SEGMENT_SIZE)]).stream(),
        );
        // And one sealed here, for Node to open.
        const made = await sdk.encryptSegmented(
          new Uint8Array(200_000).fill(7),
          journalKey,
          journalId,
        );
        const blob = new Uint8Array(await new Blob(made.segments as BlobPart[]).arrayBuffer());
        return { all, fromSeek, status: tail.status, made: [...blob], prefix: made.prefix };
      },
      { key: [...audioKey], journalId, prefix: served.prefix, from: 2 * SEGMENT_SIZE + 12_345 },
    );
    expect(answer.all).toBe(sha256(audio));
    expect(answer.status).toBe(206);
    expect(answer.fromSeek).toBe(sha256(audio.subarray(2 * SEGMENT_SIZE + 12_345)));
    const opened = await decryptSegmented(
      new Uint8Array(answer.made),
      await importKey(audioKey),
      journalId,
      answer.prefix,
    );
    expect(Buffer.from(opened).equals(Buffer.alloc(200_000, 7))).toBe(true);
  });
});
