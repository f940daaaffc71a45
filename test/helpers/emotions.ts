// Recording check-ins through the API at chosen moments, as a phone that was offline
// would: the test clock is moved to just after the moments, and the items are sent in
// offline batches (each within the 30-day window the API accepts).
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { TestApp } from './app.ts';
import type { TestUser } from './users.ts';
import { signIn } from './factories.ts';

let codes: Map<string, number> | undefined;

export async function emotionId(t: TestApp, code: string): Promise<number> {
  if (!codes) {
    const response = await t.request('GET', '/v1/emotions/types');
    codes = new Map(response.body.items.map((e: { code: string; id: number }) => [e.code, e.id]));
  }
  const id = codes.get(code);
  if (id === undefined) throw new Error(`no emotion ${code}`);
  return id;
}

export interface FixtureCheckin {
  at: string;
  code: string;
  intensity: number;
  context?: string;
  related_tool_id?: string;
  related_journal_id?: string;
}

/**
 * A fresh access token for the user at the test clock's current time: a new session made
 * by the factory (no password check, so no Argon2), as signing in would give.
 */
export async function freshToken(t: TestApp, user: TestUser): Promise<string> {
  return (await signIn(t, user)).accessToken;
}

/** Records the fixtures in time order; returns a token valid at the clock's final time. */
export async function recordAll(
  t: TestApp,
  user: TestUser,
  fixtures: FixtureCheckin[],
): Promise<string> {
  const sorted = [...fixtures].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  let token = '';
  while (sorted.length > 0) {
    const start = Date.parse(sorted[0]!.at);
    const window = sorted.filter((f) => Date.parse(f.at) - start < 25 * 86_400_000).slice(0, 100);
    sorted.splice(0, window.length);
    t.clock.set(new Date(Date.parse(window[window.length - 1]!.at) + 60_000));
    token = await freshToken(t, user);
    const items = [];
    for (const f of window) {
      items.push({
        client_id: randomUUID(),
        emotion_type_id: await emotionId(t, f.code),
        intensity: f.intensity,
        context: f.context ?? 'standalone',
        created_at: new Date(f.at).toISOString(),
        ...(f.related_tool_id ? { related_tool_id: f.related_tool_id } : {}),
        ...(f.related_journal_id ? { related_journal_id: f.related_journal_id } : {}),
      });
    }
    const response = await t.request('POST', '/v1/emotions/batch', { token, body: { items } });
    expect(response.status, response.raw).toBe(200);
    for (const result of response.body.results)
      expect(result.status, JSON.stringify(result)).toBe('created');
  }
  return token;
}
