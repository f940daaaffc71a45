-- Check-ins made around a tool or a journal, for the shift analyses (pre/post pairs) and
-- a journal's linked check-ins: partial indexes hold only those rows, with the columns the
-- queries read, so pairing never visits the rest of a user's history.
CREATE INDEX "checkins_tool_pairs_idx" ON "checkins" ("user_id", "related_tool_id", "created_at")
  INCLUDE ("context", "emotion_type_id", "intensity", "local_time") WHERE "related_tool_id" IS NOT NULL;
--> statement-breakpoint
CREATE INDEX "checkins_journal_pairs_idx" ON "checkins" ("user_id", "related_journal_id", "created_at")
  INCLUDE ("context", "emotion_type_id", "intensity", "local_time") WHERE "related_journal_id" IS NOT NULL;
