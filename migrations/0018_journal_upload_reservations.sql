CREATE TABLE "journal_upload_reservations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"bytes" bigint NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "journal_upload_reservations_bytes_check" CHECK ("journal_upload_reservations"."bytes" >= 0)
);
--> statement-breakpoint
ALTER TABLE "journal_upload_reservations" ADD CONSTRAINT "journal_upload_reservations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "journal_upload_reservations_user_idx" ON "journal_upload_reservations" USING btree ("user_id","expires_at");