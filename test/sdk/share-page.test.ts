// Sharing a recording with someone who has no account (issue 18, docs/encryption.md): the
// SDK makes the link, headless Chromium (Debian's `chromium`, driven by playwright-core)
// opens it on the server's own share page, which downloads the ciphertext and decrypts it
// with WebCrypto; the SHA-256 the page exposes is the original's. The page says clearly
// when a link is expired, revoked, used up, unknown, cut or carries the wrong key, in the
// browser's language; the key is never in the server's logs or database.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmiraClient, encryptText, type OwnShare } from '../../sdk/src/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { columnsHolding } from '../helpers/db.ts';
import { encrypt, metadataFor, upload, wrappedJournalKey } from '../helpers/journals.ts';
import { installed, which } from '../helpers/private-services.ts';
import { registerUser, uniqueEmail } from '../helpers/users.ts';

const runs = await installed('chromium');
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const DAY = 86_400_000;

describe.runIf(runs)('the share page in headless Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let origin: string;
  let phone: AmiraClient;
  /** Every key that went into a link, to look for in the logs and the database. */
  const keys: string[] = [];

  beforeAll(async () => {
    t = await createTestApp({
      env: { CLIENT_KDF_MEMORY_KIB: '19456', CLIENT_KDF_ITERATIONS: '2' },
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    phone = new AmiraClient({ baseUrl: origin });
    await phone.register({
      email: uniqueEmail('share'),
      password: 'a slow walk by the sea',
      language: 'es',
      timeZone: 'America/Mexico_City',
    });
    browser = await chromium.launch({
      executablePath: (await which('chromium'))!,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** The link as the recipient opens it: the server's link, on this test's origin. */
  const onOrigin = (link: string) => {
    const url = new URL(link);
    keys.push(url.hash.slice(1));
    return `${origin}${url.pathname}${url.hash}`;
  };

  /** Opens a link and waits for the page to settle; what the page shows and exposes. */
  async function open(link: string, locale = 'es-MX') {
    const context = await browser.newContext({ locale });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(link);
    await page.waitForFunction(() => document.body.dataset.state !== 'loading', undefined, {
      timeout: 30_000,
    });
    const shown = await page.evaluate(() => ({
      state: document.body.dataset.state,
      sha256: document.body.dataset.sha256,
      heading: document.getElementById('heading')!.textContent,
      message: document.getElementById('message')!.textContent,
      lang: document.documentElement.lang,
      audio: (document.getElementById('audio') as HTMLAudioElement).src,
    }));
    await context.close();
    return { ...shown, violations };
  }

  it('decrypts a segmented recording and its title in the browser: the same bytes', async () => {
    const audio = new Uint8Array(randomBytes(3 * 65536 + 4321));
    const journal = await phone.uploadJournal({
      audio,
      durationSeconds: 125,
      format: 'wav',
      sampleRate: 8000,
      bitRate: 128000,
      channels: 1,
      title: 'Lo que quería decirle a mi terapeuta',
    });
    const { share, link } = await phone.createShare(journal, {
      maxDownloads: 3,
      label: 'Para la Dra. Ruiz',
    });
    expect(share.label).toBe('Para la Dra. Ruiz');
    expect(link).toMatch(new RegExp(`/s/${share.id}#[A-Za-z0-9_-]{43}$`));

    const shown = await open(onOrigin(link));
    expect(shown.state).toBe('ready');
    expect(shown.sha256).toBe(sha256(audio));
    expect(shown.heading).toBe('Lo que quería decirle a mi terapeuta');
    expect(shown.lang).toBe('es');
    expect(shown.audio).toMatch(/^blob:/);
    expect(shown.violations).toEqual([]);

    const [listed] = (await phone.listShares(journal.id)) as [OwnShare];
    expect(listed).toMatchObject({ id: share.id, downloads: 1, label: 'Para la Dra. Ruiz' });
  });

  it('decrypts a whole-file recording (the format before segments), in English', async () => {
    const user = await registerUser(t);
    const key = randomBytes(32);
    const audio = randomBytes(50_000);
    const encrypted = encrypt(audio, key);
    const id = randomUUID();
    const rawKey = await crypto.subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt']);
    const title = await encryptText('Old recording, new link', rawKey, 'journal.title', id);
    const uploaded = await upload(
      t,
      user.accessToken,
      metadataFor(encrypted, { id, title, journal_key: wrappedJournalKey() }),
      encrypted.ciphertext,
    );
    expect(uploaded.status).toBe(201);
    const created = await t.request('POST', `/v1/journals/${id}/shares`, {
      token: user.accessToken,
      body: {},
    });
    const shown = await open(onOrigin(`${created.body.url}#${key.toString('base64url')}`), 'en-US');
    expect(shown.state).toBe('ready');
    expect(shown.sha256).toBe(sha256(audio));
    expect(shown.heading).toBe('Old recording, new link');
    expect(shown.lang).toBe('en');
  });

  it('says so, without a crash, for a wrong key, a cut link, and links that no longer open', async () => {
    const audio = new Uint8Array(randomBytes(70_000));
    const journal = await phone.uploadJournal({
      audio,
      durationSeconds: 30,
      format: 'wav',
      sampleRate: 8000,
      bitRate: 128000,
      channels: 1,
      title: 'Una noche difícil',
    });
    const once = await phone.createShare(journal, { maxDownloads: 1 });
    const base = onOrigin(once.link).split('#')[0]!;

    // A key that is not this journal's: the title does not open, no download is spent.
    const wrong = await open(`${base}#${randomBytes(32).toString('base64url')}`);
    expect(wrong.state).toBe('wrong_key');
    expect(wrong.heading).toBe('La clave de este enlace no abre la grabación');
    const cut = await open(`${base}#${onOrigin(once.link).split('#')[1]!.slice(0, 20)}`);
    expect(cut.state).toBe('missing_key');
    expect((await open(base, 'en')).heading).toBe('This link is missing its key');
    expect(
      (await phone.listShares(journal.id)).find((s) => s.id === once.share.id)?.downloads,
    ).toBe(0);

    // Used up: the one download, then the page says so.
    expect((await open(onOrigin(once.link))).state).toBe('ready');
    const exhausted = await open(onOrigin(once.link), 'en-GB');
    expect(exhausted.state).toBe('exhausted');
    expect(exhausted.heading).toBe('This link has been used up');

    const revoked = await phone.createShare(journal);
    await phone.revokeShare(journal.id, revoked.share.id);
    expect((await open(onOrigin(revoked.link))).state).toBe('revoked');

    const unknown = `${origin}/s/${randomUUID()}#${randomBytes(32).toString('base64url')}`;
    expect((await open(unknown)).state).toBe('not_found');

    const expiring = await phone.createShare(journal, { expiresInDays: 1 });
    const now = t.clock.now();
    t.clock.advance(DAY + 1000);
    const expired = await open(onOrigin(expiring.link));
    t.clock.set(now);
    expect(expired.state).toBe('expired');
    expect(expired.heading).toBe('Este enlace ha caducado');
    expect(expired.violations).toEqual([]);
  });

  it('never lets a link key reach the logs or the database', async () => {
    expect(keys.length).toBeGreaterThan(4);
    const standard = keys.map((k) => Buffer.from(k, 'base64url').toString('base64'));
    const logs = t.logs.join('\n');
    for (const key of [...keys, ...standard]) expect(logs).not.toContain(key);
    expect(await columnsHolding(t, [...keys, ...standard])).toEqual([]);
  });
});
