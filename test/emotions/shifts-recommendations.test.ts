// Shifts around tools (pre/post check-ins), the insight they support, and recommendations
// that weigh the user's own measured shifts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { registerUser, type TestUser } from '../helpers/users.ts';
import { emotionId, freshToken, recordAll } from '../helpers/emotions.ts';
import { toolId } from '../helpers/tools.ts';

let t: TestApp;
let user: TestUser;
let token: string;
let box: string;
beforeAll(async () => {
  t = await createTestApp({ start: '2026-08-01T12:00:00Z' });
  user = await registerUser(t, { time_zone: 'UTC', language_preference: 'en' });
  box = await toolId(t, user, 'box-breathing');
  const pair = (day: string, pre: [string, number], post: [string, number]) => [
    {
      at: `2026-08-${day}T10:00:00Z`,
      code: pre[0],
      intensity: pre[1],
      context: 'pre_tool',
      related_tool_id: box,
    },
    {
      at: `2026-08-${day}T10:10:00Z`,
      code: post[0],
      intensity: post[1],
      context: 'post_tool',
      related_tool_id: box,
    },
  ];
  await recordAll(t, user, [
    ...pair('02', ['anxiety', 8], ['calm', 5]),
    ...pair('03', ['anxiety', 6], ['anxiety', 3]),
    ...pair('04', ['sadness', 7], ['calm', 4]),
    // A post without a pre, and a pre more than three hours before its post: no pairs.
    {
      at: '2026-08-05T10:10:00Z',
      code: 'calm',
      intensity: 5,
      context: 'post_tool',
      related_tool_id: box,
    },
    {
      at: '2026-08-06T06:00:00Z',
      code: 'anxiety',
      intensity: 9,
      context: 'pre_tool',
      related_tool_id: box,
    },
    {
      at: '2026-08-06T10:00:00Z',
      code: 'joy',
      intensity: 9,
      context: 'post_tool',
      related_tool_id: box,
    },
  ]);
  t.clock.set('2026-08-10T12:00:00Z');
  token = await freshToken(t, user);
});
afterAll(() => t.close());

describe('shifts around tools', () => {
  it('pairs each post-tool check-in with the latest pre-tool one of the same tool within three hours', async () => {
    const response = await t.request('POST', '/v1/emotions/patterns', {
      token,
      body: { from: '2026-08-01', to: '2026-08-10' },
    });
    // By hand: valence changes 1.2, 0, 1.3; intensity changes -3, -3, -3;
    // affect (valence × intensity / 10) changes 0.78, 0.18, 0.73.
    const expected = {
      count: 3,
      mean_valence_change: 0.833,
      mean_intensity_change: -3,
      mean_affect_change: 0.563,
    };
    expect(response.body.shifts.tools.overall).toEqual(expected);
    expect(response.body.shifts.tools.by_tool).toEqual([{ tool_id: box, ...expected }]);
  });

  it('supports a helpful-tool insight in the user language', async () => {
    const response = await t.request('GET', '/v1/emotions/insights', { token });
    const helpful = response.body.items.find((i: { type: string }) => i.type === 'helpful_tool');
    expect(helpful).toMatchObject({
      message:
        'After using “Box breathing”, your check-ins tend to shift toward more pleasant feelings (3 times).',
      data: { tool_id: box, count: 3, mean_affect_change: 0.563 },
    });
  });
});

describe('POST /v1/emotions/recommendations', () => {
  it('ranks tools by the user’s own results, fit and intensity, with reasons and variety', async () => {
    const grounding = await toolId(t, user, 'grounding-5-4-3-2-1');
    await t.request('PUT', `/v1/tools/${grounding}/favorite`, { token });
    const response = await t.request('POST', '/v1/emotions/recommendations', {
      token,
      body: { emotion_type_id: await emotionId(t, 'anxiety'), intensity: 8 },
    });
    expect(response.status).toBe(200);
    const items = response.body.items;
    expect(items).toHaveLength(5);
    expect(items[0]).toMatchObject({
      tool_id: box,
      score: 6,
      reason: 'It has helped you before: 3 times you felt better afterwards.',
    });
    const favorite = items.find((i: { tool_id: string }) => i.tool_id === grounding);
    expect(favorite).toMatchObject({ score: 5, reason: 'Made for moments of anxiety.' });
    const perCategory = new Map<string, number>();
    for (const item of items)
      perCategory.set(item.category, (perCategory.get(item.category) ?? 0) + 1);
    for (const n of perCategory.values()) expect(n).toBeLessThanOrEqual(2);
    for (let i = 1; i < items.length; i++)
      expect(items[i - 1].score).toBeGreaterThanOrEqual(items[i].score);
    expect(response.body.unavailable_reason).toBeNull();
  });

  it('suggests reflective tools for a mild feeling, in Spanish for a Spanish speaker', async () => {
    const other = await registerUser(t, { language_preference: 'es' });
    const response = await t.request('POST', '/v1/emotions/recommendations', {
      token: other.accessToken,
      body: { emotion_type_id: await emotionId(t, 'nostalgia'), intensity: 3, limit: 3 },
    });
    expect(response.body.items).toHaveLength(3);
    expect(response.body.items[0].reason).toBe('Pensada para momentos de nostalgia.');
  });
});
