// The built SDK in headless Chromium, as a web app ships it: the browser bundle
// (sdk/dist/browser) imported as '@amira/client' through an import map by the README's
// example (sdk/examples/first-day.ts, compiled by esbuild as the app's own code), on a page
// of another origin than the API (CORS), the session kept in localStorage. One database
// is enough (PostgreSQL).
import { readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import type * as Sdk from '../../sdk/src/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listeningApp, type TestApp } from '../helpers/app.ts';
import { openSdkPage, sdkPageServer, SDK_BUNDLE, type SdkPage } from '../helpers/browser.ts';
import { databaseKind } from '../helpers/database.ts';
import { wav } from '../helpers/journals.ts';
import { installed } from '../helpers/private-services.ts';
import { uniqueEmail } from '../helpers/users.ts';

const runs = databaseKind() === 'postgres' && (await installed('chromium'));

describe.runIf(runs)('the built SDK in headless Chromium', () => {
  let t: TestApp;
  let sdkPage: SdkPage;
  let api: string;

  beforeAll(async () => {
    const example = await build({
      entryPoints: ['sdk/examples/first-day.ts'],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      external: ['@amira/client'],
      write: false,
    });
    const { server, origin } = await sdkPageServer((request, response) => {
      if (request.url !== '/first-day.js') return false;
      response
        .writeHead(200, { 'content-type': 'text/javascript' })
        .end(example.outputFiles[0]!.text);
      return true;
    });
    ({ t, api } = await listeningApp({ CORS_ORIGINS: origin }));
    sdkPage = await openSdkPage(server, origin);
  }, 60_000);
  afterAll(async () => {
    await sdkPage?.close();
    await t?.close();
  });

  it('the bundle stays small (its size is reported)', () => {
    const bytes = readFileSync(SDK_BUNDLE);
    const size = { kib: statSync(SDK_BUNDLE).size / 1024, gzipKib: gzipSync(bytes).length / 1024 };
    console.info(
      `SDK browser bundle: ${size.kib.toFixed(1)} KiB, ${size.gzipKib.toFixed(1)} KiB gzipped`,
    );
    expect(size.gzipKib).toBeLessThan(40);
  });

  it("runs the README's example from the bundle, then a reload restores the session from localStorage", async () => {
    const email = uniqueEmail('browser-first-day');
    const audio = [...wav(1)];
    // The app's module imports '@amira/client' by name; the import map points it at the bundle.
    await sdkPage.page.addScriptTag({
      type: 'module',
      content: "import { firstDay } from '/first-day.js'; window.firstDay = firstDay;",
    });
    await sdkPage.page.waitForFunction(() => 'firstDay' in window);
    const result = await sdkPage.page.evaluate(
      async ({ api, email, audio }) => {
        const { firstDay } = window as unknown as {
          firstDay: (...args: unknown[]) => Promise<Record<string, unknown>>;
        };
        return firstDay(api, email, new Uint8Array(audio), localStorage);
      },
      { api, email, audio },
    );
    expect(result).toEqual({
      title: 'Antes de dormir',
      notes: 'Mañana tengo la entrevista y no puedo dejar de pensar en ella.',
      checkins: 3,
      streak: 1,
      missing: 'The journal does not exist',
      journalId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });

    await sdkPage.page.reload();
    await sdkPage.page.waitForFunction(
      () => (window as unknown as { ready?: boolean }).ready === true,
    );
    const restored = await sdkPage.page.evaluate(async (api) => {
      const { AmiraClient } = (window as unknown as { sdk: typeof Sdk }).sdk;
      const client = new AmiraClient({ baseUrl: api, storage: localStorage });
      const found = await client.restore();
      const saved = JSON.parse(localStorage.getItem('amira.session') ?? '{}') as Record<
        string,
        unknown
      >;
      return {
        found,
        canDecrypt: client.canDecrypt,
        keptKey: 'data_key' in saved,
        email: (await client.getProfile()).email,
      };
    }, api);
    expect(restored).toEqual({ found: true, canDecrypt: false, keptKey: false, email });
  });
});
