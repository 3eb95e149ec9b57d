-- Covering indexes for segment queries (drizzle cannot declare INCLUDE, so they live here only).
-- "has tag X" → index-only scan of (tag_id, customer_id) with the expiry at hand;
-- then each customer is checked with an index-only probe of the active-customer index.
CREATE INDEX "customer_tags_tag_cover_idx" ON "customer_tags" USING btree ("tag_id","customer_id") INCLUDE ("expires_at");--> statement-breakpoint
CREATE INDEX "customers_segment_probe_idx" ON "customers" USING btree ("id") INCLUDE ("last_follow_up_at","last_interaction_at","owner_id","team_id") WHERE "archived_at" IS NULL;--> statement-breakpoint
DROP INDEX "customer_tags_tag_customer_idx";
