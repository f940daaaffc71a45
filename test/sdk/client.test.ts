// The SDK's client around the API, against a real server: sessions saved and restored
// through the app's storage, refresh (one in flight for concurrent calls, and a clear
// signal when the session is over), typed errors for every failure, retries that reuse the
// idempotency key, the device at registration, push tokens, offline check-ins, pagination,
// and a method for every operation of the document. One database is enough (PostgreSQL).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AmiraClient,
  ApiError,
  NetworkError,
  SignInRequired,
  UnexpectedResponse,
  isProblem,
  memoryStorage,
  type ClientOptions,
  type KeyValueStorage,
  type SavedSession,
} from '../../sdk/src/index.ts';
import { listeningApp, type TestApp } from '../helpers/app.ts';
import { databaseKind } from '../helpers/database.ts';
import { freePort } from '../helpers/private-services.ts';
import { uniqueEmail } from '../helpers/users.ts';

const PASSWORD = 'la casa azul junto al mar';

describe.runIf(databaseKind() === 'postgres')('the SDK client', () => {
  let t: TestApp;
  let api: string;
  let calm: number;

  beforeAll(async () => {
    ({ t, api } = await listeningApp());
    const types = await new AmiraClient({ baseUrl: api }).listEmotionTypes();
    calm = types.items.find((type) => type.code === 'calm')!.id;
  }, 60_000);
  afterAll(() => t?.close());

  /** A fetch that counts requests by path and can be told to fail some. */
  function countingFetch(
    fail?: (url: URL, attempt: number) => Response | 'drop' | 'lose-answer' | undefined,
  ) {
    const calls = new Map<string, number>();
    const fetchFn: typeof fetch = async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : input);
      const key = `${init?.method ?? 'GET'} ${url.pathname}`;
      const attempt = (calls.get(key) ?? 0) + 1;
      calls.set(key, attempt);
      const failure = fail?.(url, attempt);
      if (failure === 'drop') throw new TypeError('fetch failed');
      if (failure === 'lose-answer') {
        await fetch(input, init); // the server carries it out; the answer never arrives
        throw new TypeError('fetch failed: socket hang up');
      }
      return failure ?? fetch(input, init);
    };
    return { fetchFn, calls, count: (key: string) => calls.get(key) ?? 0 };
  }

  async function registered(options: Partial<ClientOptions> = {}) {
    const email = uniqueEmail('sdk-client');
    const client = new AmiraClient({ baseUrl: api, ...options });
    await client.register({
      email,
      password: PASSWORD,
      language: 'es',
      timeZone: 'America/Mexico_City',
    });
    return { client, email };
  }

  const saved = async (storage: KeyValueStorage) =>
    JSON.parse((await storage.getItem('amira.session'))!) as SavedSession;

  it('has a method for every operation of the document', () => {
    const document = JSON.parse(readFileSync('sdk/openapi.json', 'utf8')) as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    const ids = Object.values(document.paths).flatMap((item) =>
      Object.values(item).map((op) => op.operationId),
    );
    const client = new AmiraClient({ baseUrl: api }) as unknown as Record<string, unknown>;
    expect(ids.length).toBeGreaterThan(100);
    expect(ids.filter((id) => typeof client[id] !== 'function')).toEqual([]);
  });

  it('saves the session in the given storage and restores it at the next launch; the data key only when asked', async () => {
    const storage = memoryStorage();
    const { client, email } = await registered({ storage });
    const checkin = await client.createCheckin({
      emotion_type_id: calm,
      intensity: 4,
      context: 'standalone',
      notes: 'Un día tranquilo',
    });
    expect((await saved(storage)).data_key).toBeUndefined();

    const relaunched = new AmiraClient({ baseUrl: api, storage });
    expect(await relaunched.restore()).toBe(true);
    expect([relaunched.signedIn, relaunched.canDecrypt]).toEqual([true, false]);
    expect((await relaunched.getProfile()).email).toBe(email);
    const stored = await relaunched.getCheckin({ path: { id: checkin.id } });
    await expect(relaunched.readNotes(stored)).rejects.toThrow(/unlock/);
    await relaunched.unlock(email, PASSWORD);
    expect(await relaunched.readNotes(stored)).toBe('Un día tranquilo');

    const keychain = memoryStorage();
    const secure = new AmiraClient({ baseUrl: api, storage: keychain, keepDataKey: true });
    await secure.login(email, PASSWORD);
    expect((await saved(keychain)).data_key).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const again = new AmiraClient({ baseUrl: api, storage: keychain, keepDataKey: true });
    await again.restore();
    expect(await again.readNotes(stored)).toBe('Un día tranquilo');

    await again.logout();
    expect([await keychain.getItem('amira.session'), again.signedIn, again.canDecrypt]).toEqual([
      null,
      false,
      false,
    ]);
    expect(await new AmiraClient({ baseUrl: api, storage: memoryStorage() }).restore()).toBe(false);
  });

  it('refreshes an expiring token once for twelve concurrent calls', async () => {
    const storage = memoryStorage();
    const { email } = await registered({ storage });
    await storage.setItem(
      'amira.session',
      JSON.stringify({ ...(await saved(storage)), access_expires_at: 0 }),
    );
    const counter = countingFetch();
    const client = new AmiraClient({ baseUrl: api, storage, fetch: counter.fetchFn });
    await client.restore();
    const profiles = await Promise.all(Array.from({ length: 12 }, () => client.getProfile()));
    expect(profiles.map((p) => p.email)).toEqual(Array(12).fill(email));
    expect(counter.count('POST /v1/auth/refresh')).toBe(1);
    expect((await saved(storage)).access_expires_at).toBeGreaterThan(Date.now() + 60_000);
  });

  it('a token the server calls expired is refreshed and the call made again', async () => {
    const counter = countingFetch();
    const { client, email } = await registered({ fetch: counter.fetchFn });
    t.clock.advance(16 * 60_000); // past the 15-minute access token; the device does not know
    try {
      expect((await client.getProfile()).email).toBe(email);
    } finally {
      t.clock.advance(-16 * 60_000);
    }
    expect([counter.count('POST /v1/auth/refresh'), counter.count('GET /v1/users/me')]).toEqual([
      1, 2,
    ]);
  });

  it('when the session ends on the server, the next refresh signs out: storage cleared, app told once', async () => {
    const storage = memoryStorage();
    const signedOut: SignInRequired[] = [];
    const { client, email } = await registered({ storage, onSignedOut: (e) => signedOut.push(e) });
    const other = new AmiraClient({ baseUrl: api });
    await other.login(email, PASSWORD);
    await other.revokeOtherSessions();
    await storage.setItem(
      'amira.session',
      JSON.stringify({ ...(await saved(storage)), access_expires_at: 0 }),
    );
    await client.restore();
    const results = await Promise.allSettled([client.getProfile(), client.getStreak()]);
    expect(
      results.map((r) => r.status === 'rejected' && r.reason instanceof SignInRequired),
    ).toEqual([true, true]);
    expect(signedOut).toHaveLength(1);
    expect([await storage.getItem('amira.session'), client.signedIn]).toEqual([null, false]);
    await expect(client.getProfile()).rejects.toBeInstanceOf(SignInRequired);
  });

  it('types every failure: a problem document, a proxy page, no answer at all', async () => {
    const { client } = await registered();
    const missing = await client
      .getJournal({ path: { id: crypto.randomUUID() } })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApiError);
    expect([isProblem(missing, 'not-found'), (missing as ApiError).status]).toEqual([true, 404]);
    const invalid = await client
      .createCheckin({ emotion_type_id: calm, intensity: 11, context: 'standalone' })
      .catch((e: unknown) => e);
    expect([
      (invalid as ApiError).code,
      (invalid as ApiError).problem.errors?.[0]?.pointer,
    ]).toEqual(['validation-failed', '#/body/intensity']);

    // A proxy's HTML 502, three times (the first try and two retries of a read).
    const proxy = countingFetch(
      () =>
        new Response('<html><body>502 Bad Gateway</body></html>', {
          status: 502,
          headers: { 'content-type': 'text/html' },
        }),
    );
    const behindProxy = new AmiraClient({ baseUrl: api, fetch: proxy.fetchFn, retries: 2 });
    const html = await behindProxy.listEmotionTypes().catch((e: unknown) => e);
    expect(html).toBeInstanceOf(UnexpectedResponse);
    expect([(html as UnexpectedResponse).status, (html as UnexpectedResponse).excerpt]).toEqual([
      502,
      '<html><body>502 Bad Gateway</body></html>',
    ]);
    expect(proxy.count('GET /v1/emotions/types')).toBe(3);

    const closed = new AmiraClient({ baseUrl: `http://127.0.0.1:${await freePort()}`, retries: 1 });
    await expect(closed.listEmotionTypes()).rejects.toBeInstanceOf(NetworkError);
  });

  it('retries a lost create with the same idempotency key (one check-in), and never retries an unkeyed POST', async () => {
    const flaky = countingFetch((url, attempt) =>
      url.pathname === '/v1/emotions' && attempt === 1 ? 'lose-answer' : undefined,
    );
    const { client } = await registered({ fetch: flaky.fetchFn });
    const checkin = await client.createCheckin({
      emotion_type_id: calm,
      intensity: 5,
      context: 'standalone',
    });
    expect(flaky.count('POST /v1/emotions')).toBe(2);
    const { items } = await client.listCheckins();
    expect(items.map((item) => item.id)).toEqual([checkin.id]);

    const unkeyed = countingFetch((url) =>
      url.pathname === '/v1/auth/sessions/revoke-others' ? 'drop' : undefined,
    );
    const second = await registered({ fetch: unkeyed.fetchFn });
    await expect(second.client.revokeOtherSessions()).rejects.toBeInstanceOf(NetworkError);
    expect(unkeyed.count('POST /v1/auth/sessions/revoke-others')).toBe(1);
  });

  it('sends the device at registration and attaches the push token to it', async () => {
    const device = { id: 'c3f1-pixel-8', name: 'Pixel de Emma', platform: 'android' as const };
    const { client } = await registered({ device });
    const before = await client.listDevices();
    expect(
      before.items.map((d) => [d.device_id, d.device_name, d.platform, d.has_push_token]),
    ).toEqual([[device.id, device.name, 'android', false]]);
    await client.registerPushToken('fcm-token-'.padEnd(64, 'x'));
    expect((await client.listDevices()).items[0]!.has_push_token).toBe(true);
    await expect(
      new AmiraClient({ baseUrl: api }).registerPushToken('x'.repeat(32)),
    ).rejects.toThrow(/device/);
  });

  it('keeps offline check-ins until they sync; a sync whose answer is lost creates nothing twice', async () => {
    const storage = memoryStorage();
    let loseNextBatch = true;
    const flaky = countingFetch((url) => {
      if (url.pathname !== '/v1/emotions/batch' || !loseNextBatch) return undefined;
      loseNextBatch = false;
      return 'lose-answer';
    });
    const { client } = await registered({ storage, fetch: flaky.fetchFn, retries: 0 });
    const at = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
    await client.queueCheckin({
      emotion_type_id: calm,
      intensity: 3,
      context: 'standalone',
      created_at: at(30),
    });
    await client.queueCheckin({
      emotion_type_id: calm,
      intensity: 4,
      context: 'daily_checkin',
      created_at: at(20),
      notes: 'En el metro, sin señal',
    });
    await client.queueCheckin({
      emotion_type_id: calm,
      intensity: 5,
      context: 'standalone',
      created_at: at(10),
    });
    expect(await client.pendingCheckins()).toBe(3);
    expect(await storage.getItem('amira.session.outbox')).not.toContain('sin señal');

    await expect(client.syncCheckins()).rejects.toBeInstanceOf(NetworkError);
    expect(await client.pendingCheckins()).toBe(3);
    const results = await client.syncCheckins();
    expect(results.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(await client.pendingCheckins()).toBe(0);
    const { items } = await client.listCheckins();
    expect(items.map((c) => c.intensity).sort()).toEqual([3, 4, 5]);
    const noted = items.find((c) => c.intensity === 4)!;
    expect(await client.readNotes(noted)).toBe('En el metro, sin señal');
  });

  it("on a shared device, one person's offline check-ins wait for them: never sent with another's session", async () => {
    const storage = memoryStorage();
    const first = await registered({ storage });
    await first.client.queueCheckin({
      emotion_type_id: calm,
      intensity: 6,
      context: 'standalone',
      notes: 'Solo para mí',
    });
    await first.client.logout();

    const second = await registered({ storage });
    expect(await second.client.pendingCheckins()).toBe(0);
    expect(await second.client.syncCheckins()).toEqual([]);
    expect((await second.client.listCheckins()).items).toEqual([]);
    await second.client.logout();

    const back = new AmiraClient({ baseUrl: api, storage });
    await back.login(first.email, PASSWORD);
    expect(await back.pendingCheckins()).toBe(1);
    expect((await back.syncCheckins()).map((r) => r.status)).toEqual(['created']);
    const [mine] = (await back.listCheckins()).items;
    expect(await back.readNotes(mine!)).toBe('Solo para mí');
  });

  it('walks every page of a list with an async iterator', async () => {
    const { client } = await registered();
    const made = [];
    for (let i = 1; i <= 5; i++)
      made.push(
        (await client.createCheckin({ emotion_type_id: calm, intensity: i, context: 'standalone' }))
          .id,
      );
    const seen: string[] = [];
    for await (const checkin of client.paginate('listCheckins', { query: { limit: 2 } }))
      seen.push(checkin.id);
    expect(seen.sort()).toEqual(made.sort());
  });
});
