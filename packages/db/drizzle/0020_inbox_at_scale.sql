DROP INDEX "conversations_team_list_idx";--> statement-breakpoint
DROP INDEX "conversations_list_idx";--> statement-breakpoint
DROP INDEX "conversations_sla_due_idx";--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "sla_due_at" timestamp with time zone GENERATED ALWAYS AS (coalesce(case when first_responded_at is null then first_response_due_at else next_response_due_at end, timestamptz '9999-12-31 00:00:00+00')) STORED NOT NULL;--> statement-breakpoint
CREATE INDEX "conversations_recent_idx" ON "conversations" USING btree ("last_message_at","id");--> statement-breakpoint
CREATE INDEX "conversations_assignee_recent_idx" ON "conversations" USING btree ("assignee_id","last_message_at","id");--> statement-breakpoint
CREATE INDEX "conversations_team_recent_idx" ON "conversations" USING btree ("team_id","last_message_at","id");--> statement-breakpoint
CREATE INDEX "conversations_sla_order_idx" ON "conversations" USING btree ("sla_due_at","id");--> statement-breakpoint
CREATE INDEX "conversations_assignee_sla_idx" ON "conversations" USING btree ("assignee_id","sla_due_at","id");--> statement-breakpoint
CREATE INDEX "conversations_team_sla_idx" ON "conversations" USING btree ("team_id","sla_due_at","id");--> statement-breakpoint
CREATE INDEX "conversations_sweep_first_due_idx" ON "conversations" USING btree ("first_response_due_at") WHERE sla_breached_at IS NULL AND first_responded_at IS NULL AND status IN ('open', 'pending');--> statement-breakpoint
CREATE INDEX "conversations_sweep_next_due_idx" ON "conversations" USING btree ("next_response_due_at") WHERE sla_breached_at IS NULL AND status IN ('open', 'pending');--> statement-breakpoint
CREATE INDEX "conversations_sweep_snooze_idx" ON "conversations" USING btree ("snoozed_until") WHERE status = 'snoozed';--> statement-breakpoint
CREATE INDEX "conversations_sweep_idle_idx" ON "conversations" USING btree ("last_message_at") WHERE status IN ('open', 'pending');--> statement-breakpoint
CREATE INDEX "conversations_sweep_escalation_idx" ON "conversations" USING btree ("last_customer_message_at") WHERE status IN ('open', 'pending') AND escalation_step < 3 AND last_customer_message_at IS NOT NULL AND (last_agent_message_at IS NULL OR last_agent_message_at < last_customer_message_at);--> statement-breakpoint
CREATE INDEX "conversations_backlog_idx" ON "conversations" USING btree ("priority","last_customer_message_at") WHERE assignee_id IS NULL AND needs_human AND status IN ('open', 'pending') AND escalation_step < 2;