CREATE TABLE "journal_shares" (
	"id" uuid PRIMARY KEY NOT NULL,
	"journal_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"label" text,
	"expires_at" timestamp with time zone NOT NULL,
	"max_downloads" integer,
	"downloads" integer DEFAULT 0 NOT NULL,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "journal_shares_downloads_check" CHECK ("journal_shares"."downloads" >= 0),
	CONSTRAINT "journal_shares_max_downloads_check" CHECK ("journal_shares"."max_downloads" between 1 and 1000),
	CONSTRAINT "journal_shares_label_length_check" CHECK (char_length("journal_shares"."label") <= 572)
);
--> statement-breakpoint
ALTER TABLE "journal_shares" ADD CONSTRAINT "journal_shares_journal_id_journals_id_fk" FOREIGN KEY ("journal_id") REFERENCES "public"."journals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journal_shares" ADD CONSTRAINT "journal_shares_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "journal_shares_journal_idx" ON "journal_shares" USING btree ("journal_id","created_at");--> statement-breakpoint
CREATE INDEX "journal_shares_user_idx" ON "journal_shares" USING btree ("user_id");