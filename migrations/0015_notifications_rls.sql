-- Preferences, the inbox and the delivery ledger are the user's own.
SELECT app_protect_table('notification_preferences', 'user_id');
--> statement-breakpoint
SELECT app_protect_table('notifications', 'user_id');
--> statement-breakpoint
SELECT app_protect_table('notification_deliveries', 'user_id');
