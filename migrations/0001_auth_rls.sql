-- Row-level security: the second line of data isolation (services filter by owner first).
-- Policies key on two transaction-local settings that src/platform/db sets:
--   app.user_id  the signed-in user a request acts for (only their rows are visible)
--   app.system   'on' for the explicit system scope (login lookups, jobs, administration)
-- With neither set, user-owned tables look empty. FORCE makes the owning role subject to
-- the policies too; the application must connect as a role that is not a superuser and
-- does not have BYPASSRLS (checked at start in production).
CREATE OR REPLACE FUNCTION app_user_id() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION app_is_system() RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT coalesce(current_setting('app.system', true), '') = 'on' $$;
--> statement-breakpoint
-- Every later module protects its user-owned tables with this one call.
CREATE OR REPLACE FUNCTION app_protect_table(target regclass, owner_column text) RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', target);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', target);
  EXECUTE format(
    'CREATE POLICY owner_rows ON %s USING (%I = app_user_id()) WITH CHECK (%I = app_user_id())',
    target, owner_column, owner_column);
  EXECUTE format(
    'CREATE POLICY system_rows ON %s USING (app_is_system()) WITH CHECK (app_is_system())',
    target);
END $$;
--> statement-breakpoint
SELECT app_protect_table('users', 'id');
--> statement-breakpoint
SELECT app_protect_table('user_profiles', 'user_id');
--> statement-breakpoint
SELECT app_protect_table('user_devices', 'user_id');
--> statement-breakpoint
SELECT app_protect_table('sessions', 'user_id');
--> statement-breakpoint
SELECT app_protect_table('refresh_tokens', 'user_id');
--> statement-breakpoint
SELECT app_protect_table('key_envelopes', 'user_id');
--> statement-breakpoint
SELECT app_protect_table('action_tokens', 'user_id');
--> statement-breakpoint
SELECT app_protect_table('security_events', 'user_id');
--> statement-breakpoint
SELECT app_protect_table('idempotency_keys', 'user_id');
