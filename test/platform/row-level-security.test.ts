import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/platform/db/database.ts';
import { keyEnvelopes, users } from '../../src/modules/auth/tables.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { userOwnedTables } from '../helpers/db.ts';
import { databaseKind } from '../helpers/database.ts';
import { registerUser, type TestUser } from '../helpers/users.ts';

let t: TestApp;
let a: TestUser;
let b: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  a = await registerUser(t);
  b = await registerUser(t);
});
afterAll(() => t.close());

describe('row-level security', () => {
  it('runs on the database of this test project', async () => {
    expect(t.db.kind).toBe(databaseKind());
    expect(t.platform.db.kind).toBe(databaseKind());
  });

  it('runs as a role that is subject to it (not a superuser, no BYPASSRLS)', async () => {
    const [role] = await t.platform.db.unscoped((tx) =>
      queryRows<{ rolsuper: boolean; rolbypassrls: boolean }>(
        tx,
        sql`select rolsuper, rolbypassrls from pg_roles where rolname = current_user`,
      ),
    );
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false });
  });

  it('forces RLS with owner and system policies on every user-owned table', async () => {
    const tables = await userOwnedTables(t);
    expect(tables).toEqual(
      expect.arrayContaining([
        'users',
        'sessions',
        'refresh_tokens',
        'key_envelopes',
        'security_events',
        'user_devices',
        'idempotency_keys',
      ]),
    );
    for (const table of tables) {
      const [state] = await t.platform.db.unscoped((tx) =>
        queryRows<{ relrowsecurity: boolean; relforcerowsecurity: boolean; policies: string[] }>(
          tx,
          sql`select c.relrowsecurity, c.relforcerowsecurity,
                     array(select polname::text from pg_policy p where p.polrelid = c.oid order by polname) as policies
              from pg_class c where c.relname = ${table} and c.relnamespace = 'public'::regnamespace`,
        ),
      );
      expect(state, table).toEqual({
        relrowsecurity: true,
        relforcerowsecurity: true,
        policies: ['owner_rows', 'system_rows'],
      });
    }
  });

  it('shows no user rows to a query run without a scope', async () => {
    for (const table of await userOwnedTables(t)) {
      const [row] = await t.platform.db.unscoped((tx) =>
        queryRows<{ n: number }>(tx, sql`select count(*)::int as n from ${sql.identifier(table)}`),
      );
      expect(row?.n, table).toBe(0);
    }
  });

  it("shows a user's scope only their own rows, even with no owner filter in the query", async () => {
    const everyone = await t.platform.db.asUser(a.id, (tx) =>
      tx.select({ id: users.id }).from(users),
    );
    expect(everyone).toEqual([{ id: a.id }]);
    const sessions = await t.platform.db.asUser(a.id, (tx) =>
      queryRows<{ user_id: string }>(tx, sql`select distinct user_id from sessions`),
    );
    expect(sessions).toEqual([{ user_id: a.id }]);
  });

  it("refuses to write another user's rows from a user's scope", async () => {
    await expect(
      t.platform.db.asUser(a.id, (tx) =>
        tx.insert(keyEnvelopes).values({ userId: b.id, label: 'x', envelope: 'eA==' }),
      ),
    ).rejects.toThrow();
    const updated = await t.platform.db.asUser(a.id, (tx) =>
      tx
        .update(users)
        .set({ timeZone: 'UTC' })
        .where(sql`${users.id} = ${b.id}`)
        .returning({ id: users.id }),
    );
    expect(updated).toEqual([]);
    const [bAfter] = await t.platform.db.asSystem((tx) =>
      queryRows<{ time_zone: string }>(tx, sql`select time_zone from users where id = ${b.id}`),
    );
    expect(bAfter?.time_zone).toBe('America/Bogota');
  });

  it('does not leak the scope of one transaction into the next on the same connection', async () => {
    await t.platform.db.asUser(a.id, (tx) => tx.select().from(users));
    const after = await t.platform.db.unscoped((tx) => tx.select({ id: users.id }).from(users));
    expect(after).toEqual([]);
  });

  it('refuses a user scope that is not a UUID before reaching SQL', async () => {
    await expect(t.platform.db.asUser("x' or '1'='1", async () => 1)).rejects.toThrow(TypeError);
  });
});
