-- A recording's share links are the owner's rows; the public share route reads and counts
-- them in the system scope (docs/encryption.md, sharing).
SELECT app_protect_table('journal_shares', 'user_id');
