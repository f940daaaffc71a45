// The SDK in headless Chromium (Debian's `chromium`, driven by playwright-core): the built
// browser bundle (sdk/dist/browser, made by `npm run sdk:build` in the test run's global
// setup), served by a small page server of the test's, loaded into a page as `window.sdk`
// and importable as '@amira/client' (an import map), as an app's own modules import it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { which } from './private-services.ts';

export interface SdkPage {
  browser: Browser;
  page: Page;
  /** The page server's origin (for CORS_ORIGINS). */
  origin: string;
  close(): Promise<void>;
}

export const SDK_BUNDLE = 'sdk/dist/browser/amira-client.min.js';

/** Starts the page server; `extra` answers other paths (true when it did). */
export async function sdkPageServer(
  extra: (request: IncomingMessage, response: ServerResponse) => boolean = () => false,
): Promise<{ server: Server; origin: string }> {
  const sdk = await readFile(SDK_BUNDLE, 'utf8');
  const server = createServer((request, response) => {
    if (request.url === '/sdk.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(sdk);
    } else if (!extra(request, response)) {
      response
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          '<!doctype html><meta charset="utf-8">' +
            '<script type="importmap">{"imports":{"@amira/client":"/sdk.js"}}</script>' +
            '<script type="module">' +
            "import * as sdk from '/sdk.js'; window.sdk = sdk; window.ready = true;</script>",
        );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A Chromium page with the SDK loaded from `origin` (a page server's). */
export async function openSdkPage(server: Server, origin: string): Promise<SdkPage> {
  const browser = await chromium.launch({
    executablePath: (await which('chromium'))!,
    args: ['--no-sandbox'],
  });
  const page = await browser.newPage();
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  return {
    browser,
    page,
    origin,
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
