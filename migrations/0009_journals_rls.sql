-- Journals and their audio metadata are the user's own.
SELECT app_protect_table('journals', 'user_id');
--> statement-breakpoint
SELECT app_protect_table('audio_metadata', 'user_id');
--> statement-breakpoint
-- A check-in may name the journal it was made around; purging the journal keeps the check-in.
ALTER TABLE "checkins" ADD CONSTRAINT "checkins_related_journal_fk"
  FOREIGN KEY ("related_journal_id") REFERENCES "journals"("id") ON DELETE SET NULL;
