import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedContent } from '../../src/modules/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { count, rows } from '../helpers/db.ts';
import { login, registerUser, type TestUser } from '../helpers/users.ts';
import { toolId } from '../helpers/tools.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let t: TestApp;
let replica: TestApp;
let editor: TestUser;
let user: TestUser;

const definition = (code: string, changes: Record<string, unknown> = {}) => ({
  code,
  category: 'breathing',
  content_type: 'breathing_pattern',
  difficulty: 'beginner',
  estimated_duration_seconds: 60,
  target_emotions: ['anxiety'],
  is_active: true,
  translations: {
    es: {
      name: 'Respiración del océano',
      description: 'Una respiración lenta con un sonido suave, como el mar.',
      content: {
        inhale_seconds: 4,
        hold_after_inhale_seconds: 0,
        exhale_seconds: 6,
        hold_after_exhale_seconds: 0,
        cycles: 6,
        instructions: ['Inhala por la nariz.'],
      },
    },
    ...changes,
  },
});

beforeAll(async () => {
  const env = { REDIS_URL, REDIS_KEY_PREFIX: `amira-test-${randomBytes(4).toString('hex')}:` };
  t = await createTestApp({ env });
  replica = await createTestApp({ env, replicaOf: t });
  const person = await registerUser(t);
  await t.platform.db.asSystem((tx) =>
    tx.execute(sql`update users set role = 'content_manager' where id = ${person.id}`),
  );
  const session = await login(t, person);
  editor = { ...person, accessToken: session.body.access_token };
  user = await registerUser(t, { language_preference: 'en' });
});
afterAll(async () => {
  await replica.close();
  await t.close();
});

describe('content management', () => {
  it('is forbidden to plain users on every admin route (403), changing nothing', async () => {
    const before = await count(t, 'tools');
    const routes = t.routes.filter((r) => r.url.startsWith('/v1/admin/tool'));
    expect(routes.length).toBe(8);
    for (const route of routes) {
      const url = route.url.replace(
        ':id',
        route.url.includes('categor') ? '1' : '00000000-0000-4000-8000-000000000000',
      );
      const response = await t.request(route.method, url, {
        token: user.accessToken,
        body: route.method === 'GET' ? undefined : definition('x'),
      });
      expect(response.status, `${route.method} ${route.url}`).toBe(403);
    }
    expect(await count(t, 'tools')).toBe(before);
  });

  it('creates a tool that users then find, with fallback to the language it has, and audits who did it', async () => {
    const created = await t.request('POST', '/v1/admin/tools', {
      token: editor.accessToken,
      body: definition('ocean-breath'),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      code: 'ocean-breath',
      category: 'breathing',
      is_active: true,
      target_emotions: ['anxiety'],
    });
    const seen = await t.request('GET', `/v1/tools/${created.body.id}`, {
      token: user.accessToken,
    });
    expect(seen.body).toMatchObject({ name: 'Respiración del océano', language: 'es' }); // no English yet
    expect(
      (
        await t.request('GET', '/v1/tools/search', {
          token: user.accessToken,
          query: { q: 'oceano' },
        })
      ).body.items[0].code,
    ).toBe('ocean-breath');
    const [audit] = await rows<{ actor_id: string; action: string }>(
      t,
      sql`select actor_id, action from tool_content_changes where entity = 'tool' and entity_id = ${created.body.id}`,
    );
    expect(audit).toEqual({ actor_id: editor.id, action: 'create' });
  });

  it('refuses invalid content with 422 problems naming each field, storing nothing', async () => {
    const before = await count(t, 'tools');
    const badContent = await t.request('POST', '/v1/admin/tools', {
      token: editor.accessToken,
      body: definition('bad-one', {
        en: { name: 'Bad', description: 'Bad.', content: { steps: [] } },
      }),
    });
    expect(badContent.status).toBe(422);
    expect(badContent.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(
      expect.arrayContaining([
        '#/body/translations/en/content',
        '#/body/translations/en/content/steps',
      ]),
    );
    const unknowns = await t.request('POST', '/v1/admin/tools', {
      token: editor.accessToken,
      body: { ...definition('bad-two'), category: 'dancing', target_emotions: ['bliss'] },
    });
    expect(unknowns.status).toBe(422);
    expect(unknowns.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual([
      '#/body/category',
      '#/body/target_emotions/0',
    ]);
    const badShape = await t.request('POST', '/v1/admin/tools', {
      token: editor.accessToken,
      body: { ...definition('bad-three'), content_type: 'video' },
    });
    expect(badShape.status).toBe(400);
    const duplicate = await t.request('POST', '/v1/admin/tools', {
      token: editor.accessToken,
      body: definition('box-breathing'),
    });
    expect(duplicate.status).toBe(409);
    expect(await count(t, 'tools')).toBe(before);
  });

  it('invalidates cached content on every replica after an edit', async () => {
    const id = await toolId(t, user, 'box-breathing');
    const before = await replica.request('GET', `/v1/tools/${id}`, { token: user.accessToken });
    expect(before.body.name).toBe('Box breathing');
    const etag = before.headers.etag as string;
    expect(
      (
        await replica.request('GET', `/v1/tools/${id}`, {
          token: user.accessToken,
          headers: { 'if-none-match': etag },
        })
      ).status,
    ).toBe(304);
    const current = (
      await t.request('GET', '/v1/admin/tools', {
        token: editor.accessToken,
        query: { limit: 100 },
      })
    ).body.items.find((tool: { code: string }) => tool.code === 'box-breathing');
    const translations = {
      ...current.translations,
      en: { ...current.translations.en, name: 'Square breathing' },
    };
    const edited = await t.request('PUT', `/v1/admin/tools/${id}`, {
      token: editor.accessToken,
      body: {
        ...definition('box-breathing'),
        category: current.category,
        content_type: current.content_type,
        target_emotions: current.target_emotions,
        estimated_duration_seconds: current.estimated_duration_seconds,
        translations,
      },
    });
    expect(edited.status).toBe(200);
    const after = await replica.request('GET', `/v1/tools/${id}`, {
      token: user.accessToken,
      headers: { 'if-none-match': etag },
    });
    expect(after.status).toBe(200);
    expect(after.body.name).toBe('Square breathing');
    expect(after.headers.etag).not.toBe(etag);
  });

  it('withdraws a tool from users while keeping its usage history', async () => {
    const id = await toolId(t, user, 'shake-it-out');
    const used = await t.request('POST', `/v1/tools/${id}/usage`, {
      token: user.accessToken,
      body: {
        started_at: t.clock.now().toISOString(),
        duration_seconds: 30,
        completion_status: 'partial',
      },
    });
    expect(used.status).toBe(201);
    expect(
      (await t.request('DELETE', `/v1/admin/tools/${id}`, { token: editor.accessToken })).body
        .is_active,
    ).toBe(false);
    expect((await t.request('GET', `/v1/tools/${id}`, { token: user.accessToken })).status).toBe(
      404,
    );
    const found = (
      await t.request('GET', '/v1/tools/search', {
        token: user.accessToken,
        query: { q: 'shake', limit: 100 },
      })
    ).body.items;
    expect(found.map((tool: { code: string }) => tool.code)).not.toContain('shake-it-out');
    expect(
      (await t.request('GET', '/v1/tools/usage', { token: user.accessToken })).body.items.map(
        (u: { id: string }) => u.id,
      ),
    ).toContain(used.body.id);
    const [audit] = await rows<{ action: string }>(
      t,
      sql`select action from tool_content_changes where entity_id = ${id} order by created_at desc limit 1`,
    );
    expect(audit?.action).toBe('deactivate');
  });

  it('keeps an edit made through the API when the seed runs again with unchanged files', async () => {
    const id = await toolId(t, user, 'box-breathing');
    expect(await seedContent(t.platform.db)).toEqual({
      'emotion types': 0,
      tools: 0,
      achievements: 0,
    });
    expect((await t.request('GET', `/v1/tools/${id}`, { token: user.accessToken })).body.name).toBe(
      'Square breathing',
    );
  });

  it('manages categories; a category with tools cannot be deleted', async () => {
    const body = {
      code: 'sleep',
      icon: 'moon',
      sort_order: 7,
      name: { es: 'Dormir', en: 'Sleep' },
      description: { es: 'Para descansar.', en: 'For rest.' },
    };
    const created = await t.request('POST', '/v1/admin/tool-categories', {
      token: editor.accessToken,
      body,
    });
    expect(created.status).toBe(201);
    expect(
      (await t.request('POST', '/v1/admin/tool-categories', { token: editor.accessToken, body }))
        .status,
    ).toBe(409);
    const renamed = await t.request('PUT', `/v1/admin/tool-categories/${created.body.id}`, {
      token: editor.accessToken,
      body: { ...body, name: { es: 'Descanso', en: 'Rest' } },
    });
    expect(renamed.body.name).toEqual({ es: 'Descanso', en: 'Rest' });
    const seen = (
      await t.request('GET', '/v1/tools/categories', { token: user.accessToken })
    ).body.items.map((c: { name: string }) => c.name);
    expect(seen).toContain('Rest');
    const breathing = (
      await t.request('GET', '/v1/admin/tool-categories', { token: editor.accessToken })
    ).body.items.find((c: { code: string }) => c.code === 'breathing');
    expect(
      (
        await t.request('DELETE', `/v1/admin/tool-categories/${breathing.id}`, {
          token: editor.accessToken,
        })
      ).status,
    ).toBe(409);
    expect(
      (
        await t.request('DELETE', `/v1/admin/tool-categories/${created.body.id}`, {
          token: editor.accessToken,
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await t.request('DELETE', `/v1/admin/tool-categories/${created.body.id}`, {
          token: editor.accessToken,
        })
      ).status,
    ).toBe(404);
  });
});
