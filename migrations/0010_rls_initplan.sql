-- Policies evaluate the request's scope once per statement, not once per row: wrapping
-- the setting lookups in (select …) makes them InitPlans, so scanning a user's 36,500
-- check-ins compares each row with a constant instead of calling current_setting twice.
CREATE OR REPLACE FUNCTION app_protect_table(target regclass, owner_column text) RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', target);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', target);
  EXECUTE format(
    'CREATE POLICY owner_rows ON %s USING (%I = (select app_user_id())) WITH CHECK (%I = (select app_user_id()))',
    target, owner_column, owner_column);
  EXECUTE format(
    'CREATE POLICY system_rows ON %s USING ((select app_is_system())) WITH CHECK ((select app_is_system()))',
    target);
END $$;
--> statement-breakpoint
DO $$
DECLARE
  policy record;
  owner_column text;
BEGIN
  FOR policy IN
    SELECT p.polrelid::regclass AS target, c.relname, p.polname
    FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
    WHERE p.polname IN ('owner_rows', 'system_rows') AND c.relnamespace = 'public'::regnamespace
  LOOP
    owner_column := CASE WHEN policy.relname = 'users' THEN 'id' ELSE 'user_id' END;
    IF policy.polname = 'owner_rows' THEN
      EXECUTE format('ALTER POLICY owner_rows ON %s USING (%I = (select app_user_id())) WITH CHECK (%I = (select app_user_id()))',
        policy.target, owner_column, owner_column);
    ELSE
      EXECUTE format('ALTER POLICY system_rows ON %s USING ((select app_is_system())) WITH CHECK ((select app_is_system()))',
        policy.target);
    END IF;
  END LOOP;
END $$;
