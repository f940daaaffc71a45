// Deferred account deletion: DELETE /v1/users/me disables the account at once and the purge
// job deletes it after the grace period. Proven the hard way: a user with data in every
// module, and after the purge no row of any table of the public schema names them (every
// uuid, text, json and array column is searched, not only user_id columns), no stored
// object names them, and the other user's data is exactly as it was.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { sealed } from '../helpers/envelopes.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { count, rows } from '../helpers/db.ts';
import { emotionId } from '../helpers/emotions.ts';
import { objectsOf, uploadRecording, wrappedJournalKey } from '../helpers/journals.ts';
import { enrolTotp } from '../helpers/mfa.ts';
import { signInOnPhone } from '../helpers/notifications.ts';
import { toolId } from '../helpers/tools.ts';
import { login, promoteToAdmin, registerUser, stepUp, type TestUser } from '../helpers/users.ts';

const DAY = 86_400_000;
const problem = (code: string) => `https://amirawellness.com/problems/${code}`;

let t: TestApp;
/** When set, the purge of this account fails (a deletion step throws). */
let failPurgeOf: string | undefined;

beforeAll(async () => {
  t = await createTestApp({ smtp: true, start: '2026-09-01T12:00:00Z' });
  t.platform.deletion.register('test.failing-step', async (_tx, userId) => {
    if (userId === failPurgeOf) throw new Error('storage refused (test)');
  });
});
afterAll(() => t.close());

/**
 * Rows naming `needle`, by table: every table of the public schema (partitions included),
 * every column whose type can hold it (uuid, text, json, arrays), compared as text.
 */
async function rowsNaming(needle: string): Promise<Record<string, number>> {
  const columns = await rows<{ table_name: string; column_name: string }>(
    t,
    sql`select c.table_name, c.column_name
        from information_schema.columns c
        join pg_class k on k.relname = c.table_name
        join pg_namespace n on n.oid = k.relnamespace and n.nspname = c.table_schema
        where c.table_schema = 'public' and k.relkind in ('r', 'p')
          and c.data_type in ('uuid', 'text', 'character varying', 'json', 'jsonb', 'ARRAY')
        order by 1, 2`,
  );
  const byTable = new Map<string, string[]>();
  for (const { table_name, column_name } of columns)
    byTable.set(table_name, [...(byTable.get(table_name) ?? []), column_name]);
  const found: Record<string, number> = {};
  for (const [table, names] of byTable) {
    const where = sql.join(
      names.map((name) => sql`position(${needle} in ${sql.identifier(name)}::text) > 0`),
      sql` or `,
    );
    const n = await count(t, table, where);
    if (n > 0) found[table] = n;
  }
  return found;
}

/** Every stored object whose key names `needle` (journals, exports, full data exports…). */
async function objectsNaming(needle: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of t.platform.storage.list(''))
    if (object.key.includes(needle)) keys.push(object.key);
  return keys.sort();
}

const statusOf = async (id: string) =>
  (
    await rows<{ account_status: string; purge_after: string | null }>(
      t,
      sql`select account_status,
                 to_char(purge_after at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as purge_after
          from users where id = ${id}`,
    )
  )[0];

async function requestDeletion(user: TestUser) {
  await stepUp(t, user);
  const response = await t.request('DELETE', '/v1/users/me', { token: user.accessToken });
  expect(response.status, response.raw).toBe(202);
  return response.body as { status: string; purge_after: string };
}

/** Something in every module: what a person who used the app for a while has. */
async function fullAccount(): Promise<{ user: TestUser; phoneToken: string }> {
  const registered = await registerUser(t, {
    display_name: 'Lucía',
    language_preference: 'es',
    time_zone: 'America/Bogota',
  });
  const phoneToken = await signInOnPhone(
    t,
    registered,
    `phone-${randomUUID()}`,
    `fcm-${randomUUID()}`,
  );
  const user = await enrolTotp(t, registered);
  const token = user.accessToken;
  // A sign-in now asks for the authenticator code (a challenge is stored).
  expect((await login(t, user)).body.mfa_required).toBe(true);
  const ok = (response: { status: number; raw: string }, status = 200) =>
    expect(response.status, response.raw).toBe(status);
  const difficultWeek = await sealed('checkin.notes', 'una semana difícil en el trabajo');
  ok(
    await t.request('PUT', '/v1/users/me/key-envelopes', {
      token,
      body: { envelopes: [{ label: 'recovery', envelope: 'cmVjb3Zlcnkta2V5' }] },
    }),
  );
  ok(
    await t.request('POST', '/v1/emotions', {
      token,
      headers: { 'idempotency-key': `checkin-${randomUUID()}` },
      body: {
        emotion_type_id: await emotionId(t, 'anxiety'),
        intensity: 7,
        context: 'standalone',
        id: difficultWeek.id,
        notes: difficultWeek.envelope,
      },
    }),
    201,
  );
  const { journal } = await uploadRecording(t, token, {
    pre_checkin: { emotion_type_id: await emotionId(t, 'sadness'), intensity: 6 },
    journal_key: wrappedJournalKey(),
  });
  ok(await t.request('POST', `/v1/journals/${journal.id}/shares`, { token, body: {} }), 201);
  const { journal: trashed } = await uploadRecording(t, token);
  ok(await t.request('DELETE', `/v1/journals/${trashed.id}`, { token }));
  ok(await t.request('POST', `/v1/journals/${journal.id}/export`, { token }));
  const tool = await toolId(t, user, 'box-breathing', token);
  ok(await t.request('PUT', `/v1/tools/${tool}/favorite`, { token }));
  ok(
    await t.request('POST', `/v1/tools/${tool}/usage`, {
      token,
      body: {
        started_at: new Date(t.clock.now().getTime() - 120_000).toISOString(),
        completed_at: t.clock.now().toISOString(),
        duration_seconds: 120,
        completion_status: 'completed',
      },
    }),
    201,
  );
  ok(
    await t.request('PUT', '/v1/notifications/preferences', {
      token,
      body: { reminder_time: '21:00' },
    }),
  );
  ok(await t.request('POST', '/v1/users/me/export', { token }), 202);
  await t.drainJobs(); // achievements, their notifications, the full export
  return { user, phoneToken };
}

describe('DELETE /v1/users/me', () => {
  it('needs a token (401) and a fresh re-authentication (401 reauthentication-required)', async () => {
    const user = await registerUser(t);
    expect((await t.request('DELETE', '/v1/users/me')).status).toBe(401);
    const refused = await t.request('DELETE', '/v1/users/me', { token: user.accessToken });
    expect(refused.status).toBe(401);
    expect(refused.body.type).toBe(problem('reauthentication-required'));
    // The step-up lasts 5 minutes.
    await stepUp(t, user);
    t.clock.advance(301_000);
    const late = await t.request('DELETE', '/v1/users/me', { token: user.accessToken });
    expect(late.body.type).toBe(problem('reauthentication-required'));
    expect(await statusOf(user.id)).toEqual({ account_status: 'active', purge_after: null });
  });

  it('disables the account at once, keeps the data through the grace period, then the purge leaves no trace of it', async () => {
    t.clock.set('2026-09-02T12:00:00Z');
    const { user: leaving, phoneToken } = await fullAccount();
    const keeper = await registerUser(t);
    await t.request('POST', '/v1/emotions', {
      token: keeper.accessToken,
      body: { emotion_type_id: await emotionId(t, 'calm'), intensity: 4, context: 'standalone' },
    });
    await uploadRecording(t, keeper.accessToken);
    await t.request('PUT', `/v1/tools/${await toolId(t, keeper, 'body-scan')}/favorite`, {
      token: keeper.accessToken,
    });
    await t.drainJobs();
    const keeperRows = await rowsNaming(keeper.id);
    const keeperObjects = await objectsNaming(keeper.id);
    expect(keeperObjects).toHaveLength(1);

    const before = await rowsNaming(leaving.id);
    for (const table of [
      'users',
      'user_profiles',
      'user_devices',
      'sessions',
      'refresh_tokens',
      'key_envelopes',
      'security_events',
      'checkins',
      'journals',
      'audio_metadata',
      'tool_favorites',
      'tool_usage',
      'user_activities',
      'user_achievements',
      'notification_preferences',
      'notifications',
      'notification_deliveries',
      'idempotency_keys',
      'mfa_totp',
      'mfa_recovery_codes',
      'mfa_challenges',
      'sign_in_fingerprints',
      'data_exports',
      'journal_shares',
    ])
      expect(before[table], `fixture has ${table}`).toBeGreaterThan(0);
    const storedBefore = await objectsNaming(leaving.id);
    // Two recordings, one journal export, one full export.
    expect(storedBefore).toHaveLength(4);

    const requestedAt = t.clock.now();
    const scheduled = await requestDeletion(leaving);
    const purgeAfter = new Date(requestedAt.getTime() + 7 * DAY);
    expect(scheduled).toEqual({
      status: 'pending_deletion',
      purge_after: purgeAfter.toISOString(),
    });

    // At once: every session is over, refresh and sign-in are refused, no push goes out.
    expect((await t.request('GET', '/v1/users/me', { token: leaving.accessToken })).status).toBe(
      401,
    );
    expect((await t.request('GET', '/v1/users/me', { token: phoneToken })).status).toBe(401);
    const refresh = await t.request('POST', '/v1/auth/refresh', {
      body: { refresh_token: leaving.refreshToken },
    });
    expect(refresh.status).toBe(401);
    const signIn = await login(t, leaving);
    expect(signIn.status).toBe(409);
    expect(signIn.body.type).toBe(problem('account-deletion-pending'));
    expect(
      await count(t, 'user_devices', sql`user_id = ${leaving.id} and push_token is not null`),
    ).toBe(0);
    expect(await statusOf(leaving.id)).toEqual({
      account_status: 'pending_deletion',
      purge_after: purgeAfter.toISOString(),
    });
    const [requested] = await rows<{ metadata: Record<string, unknown> }>(
      t,
      sql`select metadata from security_events
          where user_id = ${leaving.id} and type = 'account_deletion_requested'`,
    );
    expect(requested?.metadata).toMatchObject({ purge_after: purgeAfter.toISOString() });

    // The email says when, in their language and time zone, and how to keep the account.
    await t.drainJobs();
    const mail = await t.inbox!.waitFor(leaving.email, (m) => m.subject.includes('borrar'));
    expect(mail.subject).toBe('Recibimos tu solicitud para borrar tu cuenta de Amira');
    expect(mail.text).toContain('Hola Lucía:');
    // 12:00 UTC is 07:00 in Bogotá.
    expect(mail.text).toContain('el 9 de septiembre de 2026 a las 7:00 (America/Bogota)');
    expect(mail.text).toContain('inicia sesión');
    expect(mail.text).toContain('https://app.test/settings/account');

    // The data is all there during the grace period, and the purge does not touch it.
    expect(await objectsNaming(leaving.id)).toEqual(storedBefore);
    t.clock.advance(7 * DAY - 60_000);
    expect(await t.modules.users.deletion.purgeDue()).toEqual({ purged: 0, failed: 0 });
    expect(await count(t, 'journals', sql`user_id = ${leaving.id}`)).toBe(2);
    expect(await count(t, 'checkins', sql`user_id = ${leaving.id}`)).toBe(2);

    // Past the grace period, the hourly job purges it.
    t.clock.advance(2 * 60_000);
    expect(
      (await t.platform.jobs.stats()).map((s) => s.name),
      'the purge is a scheduled job',
    ).toContain('auth.purge-deleted-accounts');
    expect(await t.modules.users.deletion.purgeDue()).toEqual({ purged: 1, failed: 0 });

    expect(await rowsNaming(leaving.id)).toEqual({});
    expect(await rowsNaming(leaving.email)).toEqual({});
    expect(await objectsNaming(leaving.id)).toEqual([]);
    expect(await objectsOf(t, leaving.id)).toEqual([]);
    const deleted = await rows<{ user_id: string | null; metadata: object }>(
      t,
      sql`select user_id, metadata from security_events where type = 'account_deleted'`,
    );
    expect(deleted).toEqual([{ user_id: null, metadata: {} }]);

    // The other account is exactly as it was.
    expect(await rowsNaming(keeper.id)).toEqual(keeperRows);
    expect(await objectsNaming(keeper.id)).toEqual(keeperObjects);
    expect((await login(t, keeper)).status).toBe(200);

    // Running again finds nothing to do; the account cannot come back by signing in.
    expect(await t.modules.users.deletion.purgeDue()).toEqual({ purged: 0, failed: 0 });
    expect(await t.modules.users.deletion.purgeAccount(leaving.id)).toBe(false);
    expect((await login(t, leaving)).status).toBe(401);
  });

  it('is cancelled by signing in again with restore_account: the purge leaves the account alone', async () => {
    const user = await registerUser(t);
    const { journal } = await uploadRecording(t, user.accessToken);
    await requestDeletion(user);
    t.clock.advance(3 * DAY);
    const restored = await t.request('POST', '/v1/auth/login', {
      body: { email: user.email, password: user.password, restore_account: true },
    });
    expect(restored.status, restored.raw).toBe(200);
    t.clock.advance(5 * DAY);
    expect(await t.modules.users.deletion.purgeDue()).toEqual({ purged: 0, failed: 0 });
    expect(await t.modules.users.deletion.purgeAccount(user.id)).toBe(false);
    expect(await statusOf(user.id)).toEqual({ account_status: 'active', purge_after: null });
    const token = (await login(t, user)).body.access_token as string;
    expect((await t.request('GET', `/v1/journals/${journal.id}`, { token })).status).toBe(200);
    expect(await objectsOf(t, user.id)).toHaveLength(1);
  });

  it('sends the deletion email only while the deletion is pending', async () => {
    const user = await registerUser(t, { language_preference: 'en' });
    await requestDeletion(user);
    // Restored before the email job ran: no email about a deletion that is not happening.
    await t.request('POST', '/v1/auth/login', {
      body: { email: user.email, password: user.password, restore_account: true },
    });
    const sent = t.inbox!.messages.length;
    await t.drainJobs();
    const about = (m: { to: string; subject: string }) =>
      m.to.includes(user.email) && m.subject.includes('delete');
    expect(t.inbox!.messages.slice(sent).filter(about)).toEqual([]);

    // English, for an English speaker.
    const other = await registerUser(t, { language_preference: 'en', time_zone: 'Europe/Madrid' });
    const { purge_after } = await requestDeletion(other);
    await t.drainJobs();
    const mail = await t.inbox!.waitFor(other.email, (m) => m.subject.includes('delete'));
    expect(mail.subject).toBe('We received your request to delete your Amira account');
    const when = new Intl.DateTimeFormat('en-GB', {
      dateStyle: 'long',
      timeStyle: 'short',
      timeZone: 'Europe/Madrid',
    }).format(new Date(purge_after));
    expect(mail.text).toContain(`on ${when} (Europe/Madrid)`);
    expect(mail.text).toContain('sign in to the app');
    t.clock.advance(7 * DAY + 60_000);
    expect(await t.modules.users.deletion.purgeDue()).toEqual({ purged: 1, failed: 0 });
  });

  it('purges each account on its own: one that fails does not stop the others, and is retried', async () => {
    const failing = await registerUser(t);
    const fine = await registerUser(t);
    await uploadRecording(t, failing.accessToken);
    await uploadRecording(t, fine.accessToken);
    await requestDeletion(failing);
    await requestDeletion(fine);
    t.clock.advance(7 * DAY + 60_000);
    failPurgeOf = failing.id;
    expect(await t.modules.users.deletion.purgeDue()).toEqual({ purged: 1, failed: 1 });
    expect(await rowsNaming(fine.id)).toEqual({});
    // The failed purge rolled back as a whole: the account and its recording are intact.
    expect((await statusOf(failing.id))?.account_status).toBe('pending_deletion');
    expect(await count(t, 'journals', sql`user_id = ${failing.id}`)).toBe(1);
    expect(await objectsOf(t, failing.id)).toHaveLength(1);
    failPurgeOf = undefined;
    expect(await t.modules.users.deletion.purgeDue()).toEqual({ purged: 1, failed: 0 });
    expect(await rowsNaming(failing.id)).toEqual({});
    expect(await objectsNaming(failing.id)).toEqual([]);
  });

  it('shows pending deletions to administrators, who cannot cancel them', async () => {
    const admin = await promoteToAdmin(t, await registerUser(t));
    const user = await registerUser(t);
    const { purge_after } = await requestDeletion(user);
    const listed = await t.request('GET', '/v1/admin/users', {
      token: admin.accessToken,
      query: { email: user.email },
    });
    expect(listed.body.items).toEqual([
      expect.objectContaining({ id: user.id, account_status: 'pending_deletion', purge_after }),
    ]);
    for (const account_status of ['active', 'locked']) {
      const refused = await t.request('PATCH', `/v1/admin/users/${user.id}`, {
        token: admin.accessToken,
        body: { account_status },
      });
      expect(refused.status).toBe(409);
      expect(refused.body.type).toBe(problem('account-deletion-pending'));
    }
    const scheduleIt = await t.request('PATCH', `/v1/admin/users/${admin.id}`, {
      token: admin.accessToken,
      body: { account_status: 'pending_deletion' },
    });
    expect(scheduleIt.status).toBe(400);
    expect((await statusOf(user.id))?.account_status).toBe('pending_deletion');
  });

  it('forgets a purged administrator in the audit trails of the accounts they changed', async () => {
    const admin = await promoteToAdmin(t, await registerUser(t));
    const target = await registerUser(t);
    const changed = await t.request('PATCH', `/v1/admin/users/${target.id}`, {
      token: admin.accessToken,
      body: { role: 'premium' },
    });
    expect(changed.status, changed.raw).toBe(200);
    await requestDeletion(admin);
    t.clock.advance(7 * DAY + 60_000);
    expect(await t.modules.users.deletion.purgeAccount(admin.id)).toBe(true);
    expect(await rowsNaming(admin.id)).toEqual({});
    const [event] = await rows<{ metadata: Record<string, unknown> }>(
      t,
      sql`select metadata from security_events where user_id = ${target.id} and type = 'role_changed'`,
    );
    expect(event?.metadata).toEqual({ from: 'user', to: 'premium', by: null });
  });
  it('purges again an account that a database restore brought back (the deletion ledger)', async () => {
    const user = await registerUser(t);
    await uploadRecording(t, user.accessToken);
    await requestDeletion(user);
    // What a backup taken during the grace period holds of the account.
    const backup = await rows<{ name: string; row: object }>(
      t,
      sql`select 'users' as name, row_to_json(u) as row from users u where id = ${user.id}
          union all select 'user_profiles', row_to_json(p) from user_profiles p where user_id = ${user.id}
          union all select 'journals', row_to_json(j) from journals j where user_id = ${user.id}
          union all select 'audio_metadata', row_to_json(a) from audio_metadata a where user_id = ${user.id}`,
    );
    t.clock.advance(7 * DAY + 60_000);
    expect(await t.modules.users.deletion.purgeAccount(user.id)).toBe(true);
    expect(await t.modules.users.deletion.reapplyDeletions()).toEqual({ found: 0, purged: 0 });
    // The ledger lives in object storage and names nobody: an HMAC and the time of the purge.
    const entries: string[] = [];
    for await (const object of t.platform.storage.list('deletion-ledger/'))
      entries.push(object.key);
    expect(entries.length).toBeGreaterThanOrEqual(1);
    for (const key of entries) expect(key).toMatch(/^deletion-ledger\/[0-9a-f]{64}\.json$/);

    // The database is restored to the backup: the account is back.
    for (const { name, row } of backup)
      await t.platform.db.asSystem((tx) =>
        tx.execute(
          sql`insert into ${sql.identifier(name)}
              select * from json_populate_record(null::${sql.identifier(name)}, ${JSON.stringify(row)}::json)`,
        ),
      );
    expect(await count(t, 'users', sql`id = ${user.id}`)).toBe(1);
    expect(await t.modules.users.deletion.reapplyDeletions()).toEqual({ found: 1, purged: 1 });
    expect(await rowsNaming(user.id)).toEqual({});
    expect(await objectsNaming(user.id)).toEqual([]);
    expect(await t.modules.users.deletion.reapplyDeletions()).toEqual({ found: 0, purged: 0 });
  });
});
