// The SDK in headless Chromium (Debian's `chromium`, driven by playwright-core): bundled by
// esbuild as a web app would ship it, served by a small page server of the test's, and
// loaded into a page as `window.sdk`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { which } from './private-services.ts';

export interface SdkPage {
  browser: Browser;
  page: Page;
  /** The page server's origin (for CORS_ORIGINS). */
  origin: string;
  close(): Promise<void>;
}

/** Starts the page server; `extra` answers other paths (true when it did). */
export async function sdkPageServer(
  extra: (request: IncomingMessage, response: ServerResponse) => boolean = () => false,
): Promise<{ server: Server; origin: string }> {
  const bundle = await build({
    entryPoints: ['sdk/src/index.ts'],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
  });
  const sdk = bundle.outputFiles[0]!.text;
  const server = createServer((request, response) => {
    if (request.url === '/sdk.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(sdk);
    } else if (!extra(request, response)) {
      response
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          '<!doctype html><meta charset="utf-8"><script type="module">' +
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
