-- Emotional check-ins, partitioned by year (UTC) on created_at: the time-series layout
-- that replaces TimescaleDB (see DESIGN.md). Yearly rather than monthly partitions: a
-- user's ten-year history then spans 11 partitions, not 121, and planning a query over it
-- costs a few milliseconds instead of tens (measured; see docs/performance.md). Queries
-- keep TimescaleDB-compatible SQL (date_trunc over local_time).
CREATE TABLE "checkins" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL REFERENCES "users"("id") ON DELETE CASCADE,
	"emotion_type_id" smallint NOT NULL REFERENCES "emotion_types"("id"),
	"intensity" smallint NOT NULL CHECK ("intensity" BETWEEN 1 AND 10),
	"context" text NOT NULL CHECK ("context" IN ('standalone', 'daily_checkin', 'pre_journal', 'post_journal', 'pre_tool', 'post_tool')),
	"notes" text CHECK (char_length("notes") <= 1000),
	"related_journal_id" uuid,
	"related_tool_id" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"local_time" timestamp NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"client_id" text,
	PRIMARY KEY ("id", "created_at")
) PARTITION BY RANGE ("created_at");
--> statement-breakpoint
CREATE INDEX "checkins_user_local_idx" ON "checkins" ("user_id", "local_time");
--> statement-breakpoint
CREATE INDEX "checkins_user_created_idx" ON "checkins" ("user_id", "created_at" DESC, "id" DESC);
--> statement-breakpoint
-- Offline batches: one client id per user and moment; re-sending creates nothing.
CREATE UNIQUE INDEX "checkins_user_client_key" ON "checkins" ("user_id", "client_id", "created_at");
--> statement-breakpoint
SELECT app_protect_table('checkins', 'user_id');
--> statement-breakpoint
-- A safety net: a check-in whose month has no partition yet lands here rather than failing.
CREATE TABLE "checkins_default" PARTITION OF "checkins" DEFAULT;
--> statement-breakpoint
SELECT app_protect_table('checkins_default', 'user_id');
--> statement-breakpoint
-- Creates the partition of the year holding `day` (idempotent), moving into it any rows
-- of that year that had landed in the default partition. Run by a daily job for the
-- coming year, and by migrations for the recent past.
CREATE OR REPLACE FUNCTION app_ensure_checkin_partition(day date) RETURNS void
  LANGUAGE plpgsql AS $$
DECLARE
  year_start timestamptz := (date_trunc('year', day)::timestamp AT TIME ZONE 'UTC');
  year_end timestamptz := ((date_trunc('year', day) + interval '1 year')::timestamp AT TIME ZONE 'UTC');
  partition_name text := format('checkins_%s', to_char(date_trunc('year', day), 'YYYY'));
  stray bigint;
BEGIN
  IF to_regclass(partition_name) IS NOT NULL THEN
    RETURN;
  END IF;
  PERFORM set_config('app.system', 'on', true);
  SELECT count(*) INTO stray FROM checkins_default WHERE created_at >= year_start AND created_at < year_end;
  IF stray > 0 THEN
    ALTER TABLE checkins DETACH PARTITION checkins_default;
  END IF;
  EXECUTE format('CREATE TABLE %I PARTITION OF checkins FOR VALUES FROM (%L) TO (%L)', partition_name, year_start, year_end);
  PERFORM app_protect_table(partition_name::regclass, 'user_id');
  IF stray > 0 THEN
    EXECUTE format('INSERT INTO %I SELECT * FROM checkins_default WHERE created_at >= %L AND created_at < %L', partition_name, year_start, year_end);
    DELETE FROM checkins_default WHERE created_at >= year_start AND created_at < year_end;
    ALTER TABLE checkins ATTACH PARTITION checkins_default DEFAULT;
  END IF;
END $$;
--> statement-breakpoint
SELECT app_ensure_checkin_partition((date_trunc('year', now()) + make_interval(years => y))::date)
FROM generate_series(-1, 1) AS y;
