CREATE TABLE "audio_metadata" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"journal_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"format" text NOT NULL,
	"sample_rate" integer NOT NULL,
	"bit_rate" integer NOT NULL,
	"channels" smallint NOT NULL,
	"file_size" bigint NOT NULL,
	"checksum" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "journals" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"title" text,
	"duration_seconds" integer NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"recorded_local_date" date NOT NULL,
	"is_favorite" boolean DEFAULT false NOT NULL,
	"storage_path" text NOT NULL,
	"encryption_algorithm" text DEFAULT 'AES-256-GCM' NOT NULL,
	"encryption_iv" "bytea" NOT NULL,
	"data_key_id" text,
	"is_uploaded" boolean DEFAULT true NOT NULL,
	"is_deleted" boolean DEFAULT false NOT NULL,
	"deleted_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "journals_duration_check" CHECK ("journals"."duration_seconds" between 0 and 86400),
	CONSTRAINT "journals_iv_length_check" CHECK (octet_length("journals"."encryption_iv") = 12),
	CONSTRAINT "journals_title_length_check" CHECK (char_length("journals"."title") <= 200)
);
--> statement-breakpoint
ALTER TABLE "audio_metadata" ADD CONSTRAINT "audio_metadata_journal_id_journals_id_fk" FOREIGN KEY ("journal_id") REFERENCES "public"."journals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audio_metadata" ADD CONSTRAINT "audio_metadata_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journals" ADD CONSTRAINT "journals_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "audio_metadata_journal_key" ON "audio_metadata" USING btree ("journal_id");--> statement-breakpoint
CREATE INDEX "audio_metadata_user_idx" ON "audio_metadata" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "journals_user_iv_key" ON "journals" USING btree ("user_id","encryption_iv");--> statement-breakpoint
CREATE UNIQUE INDEX "journals_storage_path_key" ON "journals" USING btree ("storage_path");--> statement-breakpoint
CREATE INDEX "journals_user_recorded_idx" ON "journals" USING btree ("user_id","is_deleted","recorded_at","id");--> statement-breakpoint
CREATE INDEX "journals_deleted_idx" ON "journals" USING btree ("deleted_at") WHERE "journals"."is_deleted";