ALTER TABLE "journals" DROP CONSTRAINT "journals_title_length_check";--> statement-breakpoint
ALTER TABLE "journals" ADD COLUMN "title_plaintext" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "journals" ADD COLUMN "key_envelope" text;--> statement-breakpoint
CREATE INDEX "journals_title_plaintext_idx" ON "journals" USING btree ("user_id") WHERE "journals"."title_plaintext";--> statement-breakpoint
ALTER TABLE "journals" ADD CONSTRAINT "journals_title_length_check" CHECK (char_length("journals"."title") <= 1108);--> statement-breakpoint
-- Hand-written from here (check-ins are partitioned: outside drizzle-kit). Text written
-- before end-to-end text encryption is marked as plaintext; the SDK re-encrypts it and
-- the mark goes (docs/encryption.md, "Text written before").
SELECT set_config('app.system', 'on', true);--> statement-breakpoint
UPDATE "journals" SET "title_plaintext" = true WHERE "title" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "checkins" ADD COLUMN "notes_plaintext" boolean DEFAULT false NOT NULL;--> statement-breakpoint
UPDATE "checkins" SET "notes_plaintext" = true WHERE "notes" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "checkins_notes_plaintext_idx" ON "checkins" USING btree ("user_id") WHERE "notes_plaintext";
