-- Activities and earned achievements are the user's own.
SELECT app_protect_table('user_activities', 'user_id');
--> statement-breakpoint
SELECT app_protect_table('user_achievements', 'user_id');
--> statement-breakpoint
INSERT INTO activity_types (id, code, name, description) VALUES
  (1, 'checkin', 'Emotional check-in', 'An emotional check-in was recorded'),
  (2, 'journal', 'Voice journal', 'A voice journal was recorded'),
  (3, 'tool', 'Tool session', 'A tool from the library was used')
ON CONFLICT (id) DO NOTHING;
