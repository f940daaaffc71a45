-- MFA, sign-in fingerprints and data exports are the user's own. mfa_challenges are read
-- before the user is known (second sign-in step) through the system role, like sign-in itself.
SELECT app_protect_table('mfa_totp', 'user_id');
--> statement-breakpoint
SELECT app_protect_table('mfa_recovery_codes', 'user_id');
--> statement-breakpoint
SELECT app_protect_table('mfa_challenges', 'user_id');
--> statement-breakpoint
SELECT app_protect_table('sign_in_fingerprints', 'user_id');
--> statement-breakpoint
SELECT app_protect_table('data_exports', 'user_id');
