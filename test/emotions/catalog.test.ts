import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedContent } from '../../src/modules/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('GET /v1/emotions/types', () => {
  it('returns the bilingual catalog with circumplex values, without a token', async () => {
    const response = await t.request('GET', '/v1/emotions/types');
    expect(response.status).toBe(200);
    const items = response.body.items;
    expect(items).toHaveLength(19);
    expect(items.map((e: { code: string }) => e.code).slice(0, 6)).toEqual([
      'joy',
      'calm',
      'gratitude',
      'hope',
      'pride',
      'love',
    ]);
    expect(items[0]).toEqual({
      id: 1,
      code: 'joy',
      name: { es: 'Alegría', en: 'Joy' },
      description: { es: expect.any(String), en: expect.any(String) },
      category: 'positive',
      valence: 0.85,
      arousal: 0.7,
      color: '#F6C453',
    });
    const anxiety = items.find((e: { code: string }) => e.code === 'anxiety');
    expect(anxiety.category).toBe('negative');
    expect(anxiety.valence).toBeLessThan(0);
    expect(anxiety.arousal).toBeGreaterThan(0.6);
    expect(new Set(items.map((e: { category: string }) => e.category))).toEqual(
      new Set(['positive', 'neutral', 'negative']),
    );
  });

  it('answers If-None-Match with 304', async () => {
    const first = await t.request('GET', '/v1/emotions/types');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    const second = await t.request('GET', '/v1/emotions/types', {
      headers: { 'if-none-match': etag },
    });
    expect(second.status).toBe(304);
    expect(second.raw).toBe('');
  });
});

describe('seeding', () => {
  it('changes nothing when run again, and restores an edited row', async () => {
    expect(await seedContent(t.platform.db)).toEqual({
      'emotion types': 0,
      tools: 0,
      achievements: 0,
    });
    await t.platform.db.asSystem((tx) =>
      tx.execute(sql`update emotion_types set name_en = 'Happiness' where code = 'joy'`),
    );
    expect(await seedContent(t.platform.db)).toEqual({
      'emotion types': 1,
      tools: 0,
      achievements: 0,
    });
    expect(await seedContent(t.platform.db)).toEqual({
      'emotion types': 0,
      tools: 0,
      achievements: 0,
    });
  });
});
