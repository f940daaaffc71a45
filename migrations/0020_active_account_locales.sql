-- The auth module's view of active accounts for schedulers in other modules (the
-- notifications tick): each one's id, IANA time zone and language, and nothing else. Their
-- SQL selects from this view, never from `users` (docs/architecture.md, "Accounts: auth and
-- users"). security_invoker: the caller's row-level security applies, as on the table
-- itself (the system scope sees every account; a user's scope, only their own). A plain
-- view: PostgreSQL inlines it into the query that reads it.
CREATE VIEW active_account_locales WITH (security_invoker = true) AS
  SELECT id, time_zone, language_preference AS language
  FROM users
  WHERE account_status = 'active';
