import { readFile, readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { registerUser, type TestUser } from '../helpers/users.ts';

let t: TestApp;
let es: TestUser;
let en: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  es = await registerUser(t, { language_preference: 'es' });
  en = await registerUser(t, { language_preference: 'en' });
});
afterAll(() => t.close());

const toolByCode = async (code: string) => {
  const response = await t.request('GET', '/v1/tools/search', {
    token: es.accessToken,
    query: { q: code.replace(/-/g, ' '), limit: 100 },
  });
  const all = await t.request('GET', '/v1/tools/search', {
    token: es.accessToken,
    query: { limit: 100 },
  });
  return [...response.body.items, ...all.body.items].find(
    (tool: { code: string }) => tool.code === code,
  );
};

describe('content files', () => {
  it('hold a real bilingual library: 6+ categories, 30+ tools, every content type, matching breathing numbers', async () => {
    const files = (await readdir('content/tools')).filter((f) => f !== 'categories.json');
    expect(files.length).toBeGreaterThanOrEqual(30);
    const tools = await Promise.all(
      files.map(async (f) => JSON.parse(await readFile(`content/tools/${f}`, 'utf8'))),
    );
    const perCategory = new Map<string, number>();
    for (const tool of tools)
      perCategory.set(tool.category, (perCategory.get(tool.category) ?? 0) + 1);
    for (const code of [
      'breathing',
      'mindfulness',
      'body',
      'grounding',
      'journaling',
      'gratitude',
    ]) {
      expect(perCategory.get(code), code).toBeGreaterThanOrEqual(5);
    }
    expect(new Set(tools.map((tool) => tool.content_type))).toEqual(
      new Set(['text', 'guided_steps', 'breathing_pattern', 'prompts', 'audio']),
    );
    for (const tool of tools) {
      expect(tool.translations.es?.name, tool.code).toBeTruthy();
      expect(tool.translations.en?.name, tool.code).toBeTruthy();
      if (tool.content_type === 'breathing_pattern') {
        const { instructions: _es, ...numbersEs } = tool.translations.es.content;
        const { instructions: _en, ...numbersEn } = tool.translations.en.content;
        expect(numbersEs, tool.code).toEqual(numbersEn);
      }
    }
  });
});

describe('GET /v1/tools/categories', () => {
  it('lists the categories in the user’s language, or the one asked for', async () => {
    const mine = await t.request('GET', '/v1/tools/categories', { token: es.accessToken });
    expect(mine.status).toBe(200);
    expect(mine.body.items).toHaveLength(6);
    expect(mine.body.items[0]).toEqual({
      id: expect.any(Number),
      code: 'breathing',
      icon: 'wind',
      name: 'Respiración',
      description: expect.any(String),
      language: 'es',
    });
    const english = await t.request('GET', '/v1/tools/categories', { token: en.accessToken });
    expect(english.body.items[0].name).toBe('Breathing');
    const asked = await t.request('GET', '/v1/tools/categories', {
      token: es.accessToken,
      query: { lang: 'en' },
    });
    expect(asked.body.items[0].name).toBe('Breathing');
    const french = await t.api
      .get('/v1/tools/categories', { token: es.accessToken, query: { lang: 'fr' as never } })
      .expect(400);
    expect(french.body.type).toBe('https://amirawellness.com/problems/validation-failed');
    expect(JSON.stringify(french.body.errors)).toContain('lang');
    const anonymous = await t.api.get('/v1/tools/categories').expect(401);
    expect(anonymous.body.type).toBe('https://amirawellness.com/problems/unauthenticated');
  });

  it('answers If-None-Match with 304', async () => {
    const first = await t.request('GET', '/v1/tools/categories', { token: es.accessToken });
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"tools-v\d+-categories-es"$/);
    const second = await t.request('GET', '/v1/tools/categories', {
      token: es.accessToken,
      headers: { 'if-none-match': etag },
    });
    expect(second.status).toBe(304);
    expect(second.raw).toBe('');
    expect(second.headers.etag).toBe(etag);
    // Another language is another representation: a full answer with its own tag.
    const english = await t.request('GET', '/v1/tools/categories', {
      token: es.accessToken,
      query: { lang: 'en' },
      headers: { 'if-none-match': etag },
    });
    expect(english.status).toBe(200);
    expect(english.headers.etag).toMatch(/^"tools-v\d+-categories-en"$/);
  });
});

describe('GET /v1/tools/categories/{id}', () => {
  it('pages through the tools of a category', async () => {
    const categories = (await t.request('GET', '/v1/tools/categories', { token: en.accessToken }))
      .body.items;
    const breathing = categories.find((c: { code: string }) => c.code === 'breathing');
    const page1 = await t.request('GET', `/v1/tools/categories/${breathing.id}`, {
      token: en.accessToken,
      query: { limit: 4 },
    });
    expect(page1.status).toBe(200);
    expect(page1.body.category.code).toBe('breathing');
    expect(page1.body.items).toHaveLength(4);
    const page2 = await t.request('GET', `/v1/tools/categories/${breathing.id}`, {
      token: en.accessToken,
      query: { limit: 4, cursor: page1.body.next_cursor },
    });
    const codes = [...page1.body.items, ...page2.body.items].map(
      (tool: { code: string }) => tool.code,
    );
    expect(codes).toEqual([...codes].sort());
    expect(codes).toContain('box-breathing');
    expect(page2.body.next_cursor).toBeNull();
    for (const tool of [...page1.body.items, ...page2.body.items])
      expect(tool.category_code).toBe('breathing');
  });

  it('answers 404 for an unknown category and for a malformed id (it names nothing)', async () => {
    expect(
      (await t.request('GET', '/v1/tools/categories/999', { token: en.accessToken })).status,
    ).toBe(404);
    expect(
      (await t.request('GET', '/v1/tools/categories/abc', { token: en.accessToken })).status,
    ).toBe(404);
  });
});

describe('GET /v1/tools/{id}', () => {
  it('returns the tool with its content in the user’s language and the catalog ids of its target emotions', async () => {
    const box = await toolByCode('box-breathing');
    const response = await t.request('GET', `/v1/tools/${box.id}`, { token: es.accessToken });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      code: 'box-breathing',
      content_type: 'breathing_pattern',
      name: 'Respiración cuadrada',
      language: 'es',
      is_favorite: false,
      content: {
        inhale_seconds: 4,
        hold_after_inhale_seconds: 4,
        exhale_seconds: 4,
        hold_after_exhale_seconds: 4,
        cycles: 8,
      },
    });
    const types = (await t.request('GET', '/v1/emotions/types')).body.items;
    const idOf = (code: string) => types.find((e: { code: string }) => e.code === code).id;
    expect(response.body.target_emotion_ids).toEqual(
      ['anxiety', 'overwhelm', 'anger', 'fear'].map(idOf),
    );
    const english = await t.request('GET', `/v1/tools/${box.id}`, {
      token: es.accessToken,
      query: { lang: 'en' },
    });
    expect(english.body.name).toBe('Box breathing');
  });

  it('answers 404 for an unknown tool and for a path that cannot name one', async () => {
    const unknown = await t.request('GET', '/v1/tools/00000000-0000-4000-8000-000000000000', {
      token: es.accessToken,
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.type).toBe('https://amirawellness.com/problems/not-found');
    // A slug where the id goes names nothing: 404, never a 400 about the path.
    const slug = await t.request('GET', '/v1/tools/box-breathing', { token: es.accessToken });
    expect(slug.status).toBe(404);
    expect(slug.body.type).toBe('https://amirawellness.com/problems/not-found');
  });
});
