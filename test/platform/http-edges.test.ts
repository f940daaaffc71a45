// Trust at the edges (issue 15): what the HTTP layer does with requests real clients and
// hostile ones send, for every route at once: JSON nested deeper than any schema, an
// empty body under a JSON content type, the journal metadata part as OkHttp, URLSession
// and Alamofire send it, paths that name nothing, unknown query parameters, the response
// headers a browser may read (CORS), what caches may keep, and where the operators'
// routes live.
import { randomBytes, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOperationsApp } from '../../src/app.ts';
import { loadConfig, ConfigError } from '../../src/config.ts';
import { CORS_EXPOSED_HEADERS } from '../../src/platform/http/gateway.ts';
import { MAX_JSON_DEPTH } from '../../src/platform/http/json-body.ts';
import { findNul } from '../../src/platform/http/nul-guard.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { count, rows } from '../helpers/db.ts';
import {
  encrypt,
  metadataFor,
  objectsOf,
  uploadRecording,
  wrappedJournalKey,
} from '../helpers/journals.ts';
import { toolId } from '../helpers/tools.ts';
import { promoteToAdmin, registerUser, stepUp, type TestUser } from '../helpers/users.ts';

const ORIGIN = 'https://web.amirawellness.com';
const PROBLEM = 'https://amirawellness.com/problems/';

let t: TestApp;
let user: TestUser;
/** An administrator whose session re-authenticated: past every guard, to reach validation. */
let admin: TestUser;

beforeAll(async () => {
  t = await createTestApp({ env: { CORS_ORIGINS: ORIGIN } });
  user = await registerUser(t);
  admin = await promoteToAdmin(t, await registerUser(t));
  await stepUp(t, admin);
});
afterAll(() => t.close());

/** Row counts of every table: what a refused request must leave as it was. */
async function fingerprint(): Promise<Record<string, number>> {
  const tables = await rows<{ name: string }>(
    t,
    sql`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
          and c.relname <> 'security_events' order by 1`,
  );
  const counts = sql.join(
    tables.map(
      ({ name }) =>
        sql`(select count(*)::int from ${sql.identifier(name)}) as ${sql.identifier(name)}`,
    ),
    sql`, `,
  );
  const [row] = await rows<Record<string, number>>(t, sql`select ${counts}`);
  return row!;
}

const nested = (depth: number, open: string, close: string, inner = '1') =>
  open.repeat(depth) + inner + close.repeat(depth);

describe('JSON nested deeper than any schema', () => {
  // About 8,000 levels fit in 16 KB; they overflowed the stack (a 500) on every JSON route.
  const deepBodies = {
    arrays: nested(8000, '[', ']'),
    objects: nested(2700, '{"a":', '}'),
  };

  it.each(Object.entries(deepBodies))(
    'refuses deep %s with a 400 before anything recursive, on public and authenticated routes',
    async (_kind, payload) => {
      expect(payload.length).toBeLessThan(20 * 1024);
      const before = await fingerprint();
      for (const [method, url, token] of [
        ['POST', '/v1/auth/login', undefined],
        ['POST', '/v1/auth/register', undefined],
        ['POST', '/v1/emotions', user.accessToken],
        ['PATCH', '/v1/users/me', user.accessToken],
        ['POST', '/v1/admin/tools', admin.accessToken],
      ] as const) {
        const response = await t.request(method, url, {
          token,
          body: payload,
          headers: { 'content-type': 'application/json' },
        });
        expect(response.status, `${method} ${url}`).toBe(400);
        expect(response.headers['content-type']).toContain('application/problem+json');
        expect(response.body).toMatchObject({
          type: `${PROBLEM}validation-failed`,
          status: 400,
          errors: [
            { pointer: '#/body', message: `must not nest deeper than ${MAX_JSON_DEPTH} levels` },
          ],
        });
      }
      expect(await fingerprint()).toEqual(before);
    },
  );

  it(`takes ${MAX_JSON_DEPTH} levels to the schema, and refuses ${MAX_JSON_DEPTH + 1} up front`, async () => {
    const send = (payload: string) =>
      t.request('POST', '/v1/emotions', {
        token: user.accessToken,
        body: payload,
        headers: { 'content-type': 'application/json' },
      });
    // At the limit: parsed and handed to the schema, which names the field.
    const atLimit = await send(
      `{"emotion_type_id":4,"intensity":6,"context":"standalone","notes":${nested(MAX_JSON_DEPTH - 1, '[', ']')}}`,
    );
    expect(atLimit.status).toBe(400);
    expect(atLimit.body.errors).toEqual([{ pointer: '#/body/notes', message: 'must be string' }]);
    const over = await send(
      `{"emotion_type_id":4,"intensity":6,"context":"standalone","notes":${nested(MAX_JSON_DEPTH, '[', ']')}}`,
    );
    expect(over.status).toBe(400);
    expect(over.body.errors).toEqual([
      { pointer: '#/body', message: `must not nest deeper than ${MAX_JSON_DEPTH} levels` },
    ]);
    expect(await count(t, 'checkins', sql`user_id = ${user.id}`)).toBe(0);
  });

  it('counts only brackets outside strings (escaped quotes included)', async () => {
    // Free text the server keeps readable (the name emails greet the person by), 90 brackets
    // deep if they counted.
    const name = `"${'['.repeat(45)}\\"{{{{${']'.repeat(45)}`;
    const response = await t.request('PATCH', '/v1/users/me', {
      token: user.accessToken,
      body: JSON.stringify({ display_name: name }),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status, response.raw).toBe(200);
    expect(response.body.display_name).toBe(name);
  });

  it('parses +json types the same way (application/merge-patch+json)', async () => {
    const deep = await t.request('PATCH', '/v1/users/me', {
      token: user.accessToken,
      body: deepBodies.arrays,
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    expect(deep.status).toBe(400);
    expect(deep.body.errors[0].pointer).toBe('#/body');
    const patched = await t.request('PATCH', '/v1/users/me', {
      token: user.accessToken,
      body: JSON.stringify({ display_name: 'Lucía' }),
      headers: { 'content-type': 'application/merge-patch+json; charset=utf-8' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.display_name).toBe('Lucía');
  });

  it('still refuses prototype poisoning', async () => {
    const response = await t.request('POST', '/v1/auth/login', {
      body: '{"email":"a@example.com","password":"x","__proto__":{"admin":true}}',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(response.body.type).toBe(`${PROBLEM}malformed-body`);
  });

  it('finds a NUL without recursion, however deep the value', () => {
    let value: unknown = 'deep\u0000';
    for (let i = 0; i < 50_000; i++) value = i % 2 ? { a: value } : [value];
    const pointer = findNul(value, '#/body');
    expect(pointer?.startsWith('#/body/a/0/a/0')).toBe(true);
    expect(pointer?.split('/').length).toBe(50_002);
    expect(findNul({ first: ['ok', { 'k\u0000': 1 }], second: 'x\u0000' }, '#/body')).toBe(
      '#/body/first/1',
    );
  });
});

describe('an empty body under a JSON content type', () => {
  // OkHttp and URLSession put Content-Type: application/json on every request.
  const empty = { body: '', headers: { 'content-type': 'application/json; charset=utf-8' } };

  it('is no body: routes without a body schema answer as usual', async () => {
    const box = await toolId(t, user, 'box-breathing');
    const favorite = await t.request('PUT', `/v1/tools/${box}/favorite`, {
      token: user.accessToken,
      ...empty,
    });
    expect(favorite.status).toBe(200);
    expect(favorite.body.is_favorite).toBe(true);
    const unfavorite = await t.request('DELETE', `/v1/tools/${box}/favorite`, {
      token: user.accessToken,
      ...empty,
    });
    expect(unfavorite.status).toBe(200);
    expect(unfavorite.body.is_favorite).toBe(false);
    const readAll = await t.request('POST', '/v1/notifications/read-all', {
      token: user.accessToken,
      ...empty,
    });
    expect(readAll.status).toBe(200);
    const { journal } = await uploadRecording(t, user.accessToken);
    const removed = await t.request('DELETE', `/v1/journals/${journal.id}`, {
      token: user.accessToken,
      ...empty,
    });
    expect(removed.status).toBe(200);
    const restored = await t.request('POST', `/v1/journals/${journal.id}/restore`, {
      token: user.accessToken,
      ...empty,
    });
    expect(restored.status).toBe(200);
  });

  it('is the defaults where every field of the body has one (a share link)', async () => {
    const { journal } = await uploadRecording(t, user.accessToken, {
      journal_key: wrappedJournalKey(),
    });
    for (const headers of [empty, { headers: {} }]) {
      const share = await t.request('POST', `/v1/journals/${journal.id}/shares`, {
        token: user.accessToken,
        ...headers,
      });
      expect(share.status).toBe(201);
      expect(share.body).toMatchObject({ status: 'active', max_downloads: null, label: null });
      expect(Date.parse(share.body.expires_at) - t.clock.now().getTime()).toBe(7 * 86_400_000);
    }
  });

  it('is the usual 400 naming the body where the route needs one, and stores nothing', async () => {
    const before = await count(t, 'checkins', sql`user_id = ${user.id}`);
    const response = await t.request('POST', '/v1/emotions', {
      token: user.accessToken,
      ...empty,
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      type: `${PROBLEM}validation-failed`,
      errors: [{ pointer: '#/body', message: 'must be object' }],
    });
    expect(await count(t, 'checkins', sql`user_id = ${user.id}`)).toBe(before);
    const login = await t.request('POST', '/v1/auth/login', empty);
    expect(login.status).toBe(400);
    expect(login.body.errors).toEqual([{ pointer: '#/body', message: 'must be object' }]);
  });
});

describe('the journal metadata part, as mobile clients send it', () => {
  interface Part {
    name: string;
    filename?: string;
    type?: string;
    value: Buffer | string;
  }
  const CRLF = '\r\n';

  /** OkHttp 4 MultipartBody: a UUID boundary; Content-Type and Content-Length in each part. */
  function okHttp(parts: Part[]) {
    const boundary = randomUUID();
    const chunks: Buffer[] = [];
    for (const part of parts) {
      const value = Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value);
      const disposition = `form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}`;
      chunks.push(
        Buffer.from(
          `--${boundary}${CRLF}Content-Disposition: ${disposition}${CRLF}` +
            (part.type ? `Content-Type: ${part.type}${CRLF}` : '') +
            `Content-Length: ${value.length}${CRLF}${CRLF}`,
        ),
        value,
        Buffer.from(CRLF),
      );
    }
    chunks.push(Buffer.from(`--${boundary}--${CRLF}`));
    return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
  }

  /**
   * Alamofire's MultipartFormData (and the URLSession recipe iOS developers copy): boundary
   * `alamofire.boundary.<hex>`, parts separated by CRLF--boundary, no Content-Length.
   */
  function alamofire(
    parts: Part[],
    boundary = `alamofire.boundary.${randomBytes(8).toString('hex')}`,
  ) {
    const chunks: Buffer[] = [];
    parts.forEach((part, i) => {
      const disposition = `form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}`;
      chunks.push(
        Buffer.from(
          `${i === 0 ? '' : CRLF}--${boundary}${CRLF}Content-Disposition: ${disposition}${CRLF}` +
            (part.type ? `Content-Type: ${part.type}${CRLF}` : '') +
            CRLF,
        ),
        Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value),
      );
    });
    chunks.push(Buffer.from(`${CRLF}--${boundary}--${CRLF}`));
    return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
  }

  const recording = () => {
    const encrypted = encrypt(randomBytes(4096));
    return {
      metadata: JSON.stringify(metadataFor(encrypted, { data_key_id: 'paseo' })),
      audio: {
        name: 'audio',
        filename: 'audio.bin',
        type: 'application/octet-stream',
        value: encrypted.ciphertext,
      },
      checksum: encrypted.checksum,
    };
  };
  const send = (form: { body: Buffer; type: string }) =>
    t.request('POST', '/v1/journals', {
      token: user.accessToken,
      body: form.body,
      headers: { 'content-type': form.type },
    });

  type Form = { body: Buffer; type: string };
  const clients: [string, (metadata: string, audio: Part) => Form][] = [
    [
      'OkHttp, a plain field (createFormData(name, value))',
      (m, audio) => okHttp([{ name: 'metadata', value: m }, audio]),
    ],
    [
      'OkHttp, typed application/json',
      (m, audio) =>
        okHttp([{ name: 'metadata', type: 'application/json; charset=utf-8', value: m }, audio]),
    ],
    [
      'OkHttp, a file part (createFormData("metadata", "metadata.json", body))',
      (m, audio) =>
        okHttp([
          {
            name: 'metadata',
            filename: 'metadata.json',
            type: 'application/json; charset=utf-8',
            value: m,
          },
          audio,
        ]),
    ],
    [
      'URLSession, typed application/json',
      (m, audio) =>
        alamofire(
          [{ name: 'metadata', type: 'application/json', value: m }, audio],
          `Boundary-${randomUUID()}`,
        ),
    ],
    [
      'Alamofire, with a fileName and mimeType',
      (m, audio) =>
        alamofire([
          { name: 'metadata', filename: 'metadata.json', type: 'application/json', value: m },
          audio,
        ]),
    ],
  ];

  it.each(clients)('is accepted from %s', async (_client, build) => {
    const { metadata, audio, checksum } = recording();
    const response = await send(build(metadata, audio));
    expect(response.status, response.raw).toBe(201);
    expect(response.body.data_key_id).toBe('paseo');
    expect(response.body.audio.checksum_sha256).toBe(checksum);
  });

  it.each([
    ['typed application/json, not JSON', { type: 'application/json' }, '{"title":', 'invalid JSON'],
    ['a plain field, not JSON', {}, '{"title":', 'invalid JSON'],
    [
      'a file part, not JSON',
      { filename: 'metadata.json', type: 'application/json' },
      '{"title":',
      'invalid JSON',
    ],
    [
      'a file part over 16 KB',
      { filename: 'metadata.json', type: 'application/json' },
      JSON.stringify({ title: 'x'.repeat(17 * 1024) }),
      'must be at most 16384 bytes',
    ],
    [
      'a plain field over 16 KB',
      {},
      JSON.stringify({ title: 'x'.repeat(17 * 1024) }),
      'must be at most 16384 bytes',
    ],
    [
      'typed application/json, nested deep',
      { type: 'application/json' },
      nested(5000, '[', ']'),
      `must not nest deeper than ${MAX_JSON_DEPTH} levels`,
    ],
    [
      'a plain field, nested deep',
      {},
      nested(2000, '{"a":', '}'),
      `must not nest deeper than ${MAX_JSON_DEPTH} levels`,
    ],
    [
      'a file part, nested deep',
      { filename: 'm.json' },
      nested(5000, '[', ']'),
      `must not nest deeper than ${MAX_JSON_DEPTH} levels`,
    ],
  ])('is refused when %s (400, nothing stored)', async (_case, shape, text, message) => {
    const { audio } = recording();
    const journals = await count(t, 'journals', sql`user_id = ${user.id}`);
    const objects = (await objectsOf(t, user.id)).length;
    const response = await send(okHttp([{ name: 'metadata', ...shape, value: text }, audio]));
    expect(response.status, response.raw).toBe(400);
    expect(response.body.type).toBe(`${PROBLEM}validation-failed`);
    expect(response.body.errors).toEqual([{ pointer: '#/body/metadata', message }]);
    expect(await count(t, 'journals', sql`user_id = ${user.id}`)).toBe(journals);
    expect((await objectsOf(t, user.id)).length).toBe(objects);
  });

  it('refuses a NUL character in the metadata, in any of its forms', async () => {
    const journals = await count(t, 'journals', sql`user_id = ${user.id}`);
    for (const shape of [{}, { type: 'application/json' }, { filename: 'metadata.json' }]) {
      const { audio } = recording();
      const encrypted = encrypt(randomBytes(64));
      const metadata = JSON.stringify(metadataFor(encrypted, { data_key_id: 'a\u0000b' }));
      const response = await send(okHttp([{ name: 'metadata', ...shape, value: metadata }, audio]));
      expect(response.status, JSON.stringify(shape)).toBe(400);
      expect(response.body.errors).toEqual([
        { pointer: '#/body/metadata/data_key_id', message: 'must not contain the NUL character' },
      ]);
    }
    expect(await count(t, 'journals', sql`user_id = ${user.id}`)).toBe(journals);
  });
});

describe('paths that name nothing', () => {
  it('answers a wrong path under a collection with 404, or 405 and Allow where other methods have it', async () => {
    const trends = await t.request('GET', '/v1/emotions/trends', { token: user.accessToken });
    expect(trends.status).toBe(405);
    expect(trends.headers.allow).toBe('POST');
    expect(trends.headers['content-type']).toContain('application/problem+json');
    expect(trends.body).toEqual({
      type: `${PROBLEM}method-not-allowed`,
      title: 'Method not allowed',
      status: 405,
      detail: 'GET is not allowed on /v1/emotions/trends; allowed: POST',
      instance: '/v1/emotions/trends',
      request_id: expect.any(String),
    });
    const recommended = await t.request('GET', '/v1/tools/recommended?lang=es', {
      token: user.accessToken,
    });
    expect(recommended.status).toBe(404);
    expect(recommended.headers.allow).toBeUndefined();
    expect(recommended.body).toMatchObject({
      type: `${PROBLEM}not-found`,
      status: 404,
      detail: 'No route GET /v1/tools/recommended',
    });
    // A path no route has for this method, and one that exists for others.
    const types = await t.request('DELETE', '/v1/emotions/types', { token: user.accessToken });
    expect(types.status).toBe(405);
    expect(types.headers.allow).toBe('GET, HEAD');
    const streak = await t.request('POST', '/v1/progress/streak', { token: user.accessToken });
    expect(streak.status).toBe(405);
    expect(streak.headers.allow).toBe('GET, HEAD');
    // Another method's route that matches but would refuse the id does not count.
    const nothing = await t.request('PUT', '/v1/journals/not-an-id', { token: user.accessToken });
    expect(nothing.status).toBe(404);
    // The access check still comes first.
    expect((await t.request('GET', '/v1/emotions/trends')).status).toBe(401);
  });

  it('answers 404 (or 405), never 400, for a malformed id on every route, and changes nothing', async () => {
    const routes = t.routes.filter((r) => /:(id|token)\b/.test(r.url));
    expect(routes.length).toBeGreaterThan(20);
    const before = await fingerprint();
    const failures: string[] = [];
    for (const route of routes) {
      for (const bad of ['not-an-id', '0', '%E2%9C%93', '..%2F..%2Fetc']) {
        const url = route.url.replace(/:(id|token)\b/, bad);
        const response = await t.request(route.method, url, {
          token: route.public ? undefined : admin.accessToken,
        });
        const type = String(response.headers['content-type']);
        // A page (the share page) answers its 404 as a page a person can read.
        const answer = url.startsWith('/v1/') ? 'problem+json' : 'text/html';
        if (![404, 405].includes(response.status) || !type.includes(answer))
          failures.push(`${route.method} ${url}: ${response.status} ${response.raw.slice(0, 120)}`);
        else if (response.status === 405 && !response.headers.allow)
          failures.push(`${route.method} ${url}: 405 without Allow`);
      }
    }
    expect(failures).toEqual([]);
    expect(await fingerprint()).toEqual(before);
  });
});

describe('unknown query parameters', () => {
  it('are ignored on list routes and routes without a query schema; known ones are still checked', async () => {
    for (const url of [
      '/v1/emotions',
      '/v1/journals',
      '/v1/notifications',
      '/v1/tools/favorites',
      '/v1/tools/usage',
      '/v1/users/me/security-events',
    ]) {
      const plain = await t.request('GET', url, { token: user.accessToken });
      const busted = await t.request('GET', `${url}?page=1&_=${Date.now()}&utm_source=push`, {
        token: user.accessToken,
      });
      expect(plain.status, url).toBe(200);
      expect(busted.status, url).toBe(200);
      expect(busted.body, url).toEqual(plain.body);
    }
    const search = await t.request('GET', '/v1/tools/search?q=respira&_=123', {
      token: user.accessToken,
    });
    expect(search.status).toBe(200);
    expect(search.body.items.length).toBeGreaterThan(0);
    // No query schema at all.
    expect((await t.request('GET', '/v1/users/me?_=123', { token: user.accessToken })).status).toBe(
      200,
    );
    expect(
      (await t.request('GET', '/v1/progress/streak?v=2', { token: user.accessToken })).status,
    ).toBe(200);
    // Known parameters keep their rules.
    const bad = await t.request('GET', '/v1/emotions?limit=0&_=1', { token: user.accessToken });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ pointer: '#/query/limit', message: 'must be >= 1' }]);
  });
});

describe('CORS for a browser client on another origin', () => {
  it('lets it send what the SDK sends and read what the API sends (audio IV included)', async () => {
    const { journal, encrypted } = await uploadRecording(t, user.accessToken);
    const url = `/v1/journals/${journal.id}/audio`;
    const preflight = await t.request('OPTIONS', url, {
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization,range,if-none-match,x-request-id',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(ORIGIN);
    const allowed = String(preflight.headers['access-control-allow-headers']).split(/,\s*/);
    for (const header of [
      'authorization',
      'content-type',
      'idempotency-key',
      'range',
      'if-none-match',
    ])
      expect(allowed).toContain(header);

    const download = await t.request('GET', url, {
      token: user.accessToken,
      headers: { origin: ORIGIN, range: 'bytes=0-99' },
    });
    expect(download.status).toBe(206);
    expect(download.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(download.headers['x-encryption-iv']).toBe(encrypted.iv);
    const exposed = String(download.headers['access-control-expose-headers']).split(/,\s*/);
    for (const header of [
      'x-encryption-iv',
      'x-encryption-algorithm',
      'etag',
      'accept-ranges',
      'content-range',
      'content-length',
      'content-disposition',
      'location',
      'retry-after',
      'allow',
      'x-request-id',
      'idempotent-replayed',
      'ratelimit-remaining',
      'deprecation',
      'sunset',
    ])
      expect(exposed, header).toContain(header);
    // Errors too: a browser must read the problem's request id and Retry-After.
    const missing = await t.request('GET', `/v1/journals/${randomUUID()}/audio`, {
      token: user.accessToken,
      headers: { origin: ORIGIN },
    });
    expect(missing.status).toBe(404);
    expect(String(missing.headers['access-control-expose-headers'])).toContain('x-request-id');
  });

  it('exposes every response header the code sets that CORS does not already let scripts read', async () => {
    const safelisted = [
      'cache-control',
      'content-language',
      'content-type',
      'expires',
      'last-modified',
      'pragma',
    ];
    // For the browser and caches, not for a page's code: a policy, and what a cached answer varies by.
    const notForScripts = ['content-security-policy', 'vary'];
    const files = (await readdir('src', { recursive: true })).filter((f) => f.endsWith('.ts'));
    const set = new Set<string>();
    for (const file of files) {
      const text = await readFile(path.join('src', file), 'utf8');
      for (const match of text.matchAll(/\.header\(\s*'([a-z0-9-]+)'/gi))
        set.add(match[1]!.toLowerCase());
      // Problem documents' headers (Retry-After); not the push providers' (FCM, APNs).
      if (file.startsWith('platform/http') || file === 'platform/errors.ts')
        for (const match of text.matchAll(/headers: \{ '([a-z0-9-]+)'/gi))
          set.add(match[1]!.toLowerCase());
    }
    expect(set).toContain('x-encryption-iv');
    expect(set).toContain('retry-after');
    const unexposed = [...set].filter(
      (h) =>
        !CORS_EXPOSED_HEADERS.includes(h) && !safelisted.includes(h) && !notForScripts.includes(h),
    );
    expect(unexposed).toEqual([]);
  });
});

describe('what caches may keep', () => {
  it('marks every response of every non-public route no-store unless the route set its own policy', async () => {
    const routes = t.routes.filter((r) => !r.public);
    expect(routes.length).toBeGreaterThan(60);
    const failures: string[] = [];
    for (const route of routes) {
      for (const token of [admin.accessToken, undefined]) {
        const response = await t.request(route.method, route.url.replace(/:(\w+)/g, randomUUID()), {
          token,
          ...(route.method === 'GET'
            ? {}
            : { body: '{}', headers: { 'content-type': 'application/json' } }),
        });
        const policy = response.headers['cache-control'];
        const own = typeof policy === 'string' && policy.startsWith('private');
        if (policy !== 'no-store' && !own)
          failures.push(`${route.method} ${route.url} (${response.status}): ${String(policy)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('keeps the policies routes set, and covers tokens, errors and unknown paths', async () => {
    expect(
      (await t.request('GET', '/v1/users/me', { token: user.accessToken })).headers[
        'cache-control'
      ],
    ).toBe('no-store');
    // The catalog is public and cacheable; tools revalidate with their ETag.
    expect((await t.request('GET', '/v1/emotions/types')).headers['cache-control']).toBe(
      'public, max-age=3600',
    );
    expect(
      (await t.request('GET', '/v1/tools/categories', { token: user.accessToken })).headers[
        'cache-control'
      ],
    ).toBe('private, max-age=0, must-revalidate');
    // Sign-in answers carry tokens.
    const login = await t.request('POST', '/v1/auth/login', {
      body: { email: user.email, password: user.password },
    });
    expect(login.status).toBe(200);
    expect(login.headers['cache-control']).toBe('no-store');
    const unknown = await t.request('GET', '/v1/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.headers['cache-control']).toBe('no-store');
  });
});

describe('the operators’ routes', () => {
  it('are served by a separate listener when one is configured, and the public app answers 404', async () => {
    const ops = await createTestApp({ env: { OPS_PORT: '9464' } });
    try {
      for (const url of ['/metrics', '/docs', '/docs/', '/openapi.json']) {
        const response = await ops.request('GET', url);
        expect(response.status, url).toBe(404);
        expect(response.body.type).toBe(`${PROBLEM}not-found`);
      }
      expect((await ops.request('GET', '/health/ready')).status).toBe(200);
      const listener = await buildOperationsApp(ops.platform, ops.app);
      try {
        const metrics = await listener.inject({ method: 'GET', url: '/metrics' });
        expect(metrics.statusCode).toBe(200);
        expect(metrics.body).toContain('process_cpu_user_seconds_total');
        const docs = await listener.inject({ method: 'GET', url: '/docs/' });
        expect(docs.statusCode).toBe(200);
        expect(docs.body).toContain('<html');
        const openapi = await listener.inject({ method: 'GET', url: '/openapi.json' });
        expect(openapi.statusCode).toBe(200);
        expect(openapi.json()).toEqual(ops.app.swagger());
        expect((await listener.inject({ method: 'GET', url: '/health/live' })).json()).toEqual({
          status: 'ok',
        });
        const other = await listener.inject({ method: 'GET', url: '/v1/users/me' });
        expect(other.statusCode).toBe(404);
      } finally {
        await listener.close();
      }
    } finally {
      await ops.close();
    }
  });

  it('move off the public port by default in production only, to OPS_HOST:OPS_PORT', () => {
    const production = {
      NODE_ENV: 'production',
      APP_SECRET: 'a'.repeat(43),
      JWT_SIGNING_KEYS: '[]',
      DATABASE_URL: 'postgres://amira@db/amira',
      PUBLIC_BASE_URL: 'https://api.amirawellness.com',
      HOST: '0.0.0.0',
    };
    expect(loadConfig(production).ops).toEqual({ host: '0.0.0.0', port: 8001 });
    expect(loadConfig({ ...production, OPS_PORT: '9100', OPS_HOST: '10.0.0.5' }).ops).toEqual({
      host: '10.0.0.5',
      port: 9100,
    });
    expect(loadConfig({}).ops).toBeUndefined();
    expect(loadConfig({ OPS_PORT: '9100' }).ops).toEqual({ host: '127.0.0.1', port: 9100 });
    expect(() => loadConfig({ PORT: '9000', OPS_PORT: '9000' })).toThrow(ConfigError);
    expect(() => loadConfig({ OPS_PORT: 'metrics' })).toThrow(/OPS_PORT/);
  });
});
