-- An upload's room in the quota is the user's own, like the journal it becomes.
SELECT app_protect_table('journal_upload_reservations', 'user_id');
