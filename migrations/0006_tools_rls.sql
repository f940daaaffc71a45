-- Favorites and usage are the user's own: row-level security like every user-owned table.
SELECT app_protect_table('tool_favorites', 'user_id');
--> statement-breakpoint
SELECT app_protect_table('tool_usage', 'user_id');
--> statement-breakpoint
INSERT INTO tool_content_version (id, version) VALUES (1, 1) ON CONFLICT DO NOTHING;
