ALTER TYPE "public"."flow_step_status" ADD VALUE 'unknown' BEFORE 'done';--> statement-breakpoint
ALTER TABLE "channel_sends" ADD COLUMN "owner" text;--> statement-breakpoint
ALTER TABLE "channel_sends" ADD COLUMN "lease_until_ms" bigint;--> statement-breakpoint
ALTER TABLE "channel_sends" ADD COLUMN "unknown_since_ms" bigint;--> statement-breakpoint
ALTER TABLE "channel_sends" ADD COLUMN "claims" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "channel_sends" ADD COLUMN "settled_by" text;--> statement-breakpoint
CREATE INDEX "channel_sends_unsettled_idx" ON "channel_sends" USING btree ("claimed_at_ms") WHERE "channel_sends"."state" = 'in_flight';