import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { registerUser, type TestUser } from '../helpers/users.ts';

let t: TestApp;
let user: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  user = await registerUser(t, { language_preference: 'en' });
});
afterAll(() => t.close());

const search = async (query: Record<string, string | number>) => {
  const response = await t.request('GET', '/v1/tools/search', { token: user.accessToken, query });
  expect(response.status, response.raw).toBe(200);
  return response.body.items.map((tool: { code: string }) => tool.code) as string[];
};

describe('GET /v1/tools/search', () => {
  it('finds Spanish text without accents ("respiracion" finds "respiración")', async () => {
    const codes = await search({ q: 'respiracion', limit: 50 });
    expect(codes).toEqual(
      expect.arrayContaining(['box-breathing', 'breathing-4-7-8', 'coherent-breathing']),
    );
  });

  it('stems English ("breathe" finds "Breathing") and Spanish ("cartas" finds "Carta")', async () => {
    const breathe = await search({ q: 'breathe', limit: 50 });
    expect(breathe).toContain('box-breathing');
    const cartas = await search({ q: 'cartas', limit: 50 });
    expect(cartas).toEqual(
      expect.arrayContaining(['gratitude-letter', 'letter-to-yourself', 'unsent-letter']),
    );
  });

  it('ranks a match in the name above matches deep in the content', async () => {
    const codes = await search({ q: 'body scan' });
    expect(codes[0]).toBe('body-scan');
    const grounding = await search({ q: '5-4-3-2-1' });
    expect(grounding[0]).toBe('grounding-5-4-3-2-1');
  });

  it('filters by category, content type, duration and emotion (code or id)', async () => {
    const categories = (await t.request('GET', '/v1/tools/categories', { token: user.accessToken }))
      .body.items;
    const body = categories.find((c: { code: string }) => c.code === 'body').id;
    const inBody = await search({ category_id: body, limit: 100 });
    expect(inBody.length).toBeGreaterThanOrEqual(5);
    expect(inBody).toContain('body-scan');
    expect(await search({ content_type: 'audio', limit: 100 })).toEqual(
      expect.arrayContaining(['body-scan', 'loving-kindness-short']),
    );
    const short = (
      await t.request('GET', '/v1/tools/search', {
        token: user.accessToken,
        query: { max_duration: 90, limit: 100 },
      })
    ).body.items;
    expect(short.length).toBeGreaterThan(0);
    for (const tool of short) expect(tool.estimated_duration_seconds).toBeLessThanOrEqual(90);
    const anxious = await search({ emotion: 'anxiety', limit: 100 });
    expect(anxious).toContain('box-breathing');
    const types = (await t.request('GET', '/v1/emotions/types')).body.items;
    const anxietyId = types.find((e: { code: string }) => e.code === 'anxiety').id;
    expect(await search({ emotion: anxietyId, limit: 100 })).toEqual(anxious);
    expect(await search({ q: 'mariposa' })).toEqual(['butterfly-hug']);
    expect(await search({ q: 'mariposa', emotion: 'joy' })).toEqual([]);
  });

  it('pages through results without repeating any', async () => {
    const first = await t.request('GET', '/v1/tools/search', {
      token: user.accessToken,
      query: { limit: 10 },
    });
    const second = await t.request('GET', '/v1/tools/search', {
      token: user.accessToken,
      query: { limit: 10, cursor: first.body.next_cursor },
    });
    const ids = [...first.body.items, ...second.body.items].map((tool: { id: string }) => tool.id);
    expect(new Set(ids).size).toBe(20);
  });

  it('refuses an unknown emotion (422) and malformed parameters (400), naming the parameter', async () => {
    const refused = (query: Record<string, string | number>, status: number) =>
      t.api.get('/v1/tools/search', { token: user.accessToken, query: query }).expect(status);
    const unknown = await refused({ emotion: 'bliss' }, 422);
    expect(unknown.body).toMatchObject({
      type: 'https://amirawellness.com/problems/unknown-emotion-type',
      status: 422,
    });
    for (const [query, name] of [
      [{ max_duration: -1 }, 'max_duration'],
      [{ content_type: 'video' }, 'content_type'],
      [{ q: 'x'.repeat(201) }, 'q'],
    ] as const) {
      const bad = await refused(query, 400);
      expect(bad.body.type, name).toBe('https://amirawellness.com/problems/validation-failed');
      expect(JSON.stringify(bad.body.errors), name).toContain(name);
    }
    const anonymous = await t.api.get('/v1/tools/search', { query: { q: 'calm' } }).expect(401);
    expect(anonymous.body.type).toBe('https://amirawellness.com/problems/unauthenticated');
  });

  it('survives query syntax a person might type, answering as for the words in it', async () => {
    const everything = await search({ limit: 100 });
    expect(everything.length).toBeGreaterThan(10);
    // Blank text is no text; punctuation is not search syntax.
    expect(await search({ q: '   ', limit: 100 })).toEqual(everything);
    expect(await search({ q: '"unbalanced', limit: 100 })).toEqual(
      await search({ q: 'unbalanced', limit: 100 }),
    );
    expect(await search({ q: 'calm & | !', limit: 100 })).toEqual(
      await search({ q: 'calm', limit: 100 }),
    );
    expect(await search({ q: 'respira*' })).toEqual(await search({ q: 'respira' }));
    expect(await search({ q: "o'clock" })).toEqual(expect.any(Array));
  });
});
