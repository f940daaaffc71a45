-- Analytics read a user's check-ins by local time and need only these columns: with them
-- in the index, PostgreSQL answers from the index alone (index-only scans), so the cost
-- follows the user's own rows and not the heap pages they are spread over.
DROP INDEX IF EXISTS "checkins_user_local_idx";
--> statement-breakpoint
CREATE INDEX "checkins_user_local_idx" ON "checkins" ("user_id", "local_time") INCLUDE ("emotion_type_id", "intensity", "context", "created_at");
