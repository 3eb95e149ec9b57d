CREATE TABLE "conversation_turns" (
	"conversation_id" uuid NOT NULL,
	"turn" integer NOT NULL,
	"in_at" timestamp with time zone NOT NULL,
	"body" text,
	"auto" boolean NOT NULL,
	"rule_id" text,
	"reply_at" timestamp with time zone,
	"handoff" boolean NOT NULL,
	"agent_at" timestamp with time zone,
	"agent_id" text,
	"prev_agent_at" timestamp with time zone,
	"next_in_at" timestamp with time zone,
	"wait_no" integer NOT NULL,
	"wait_start_at" timestamp with time zone NOT NULL,
	"then_handoff" boolean NOT NULL,
	CONSTRAINT "conversation_turns_conversation_id_turn_pk" PRIMARY KEY("conversation_id","turn")
);
--> statement-breakpoint
DROP INDEX "conversations_team_list_idx";--> statement-breakpoint
DROP INDEX "conversations_list_idx";--> statement-breakpoint
DROP INDEX "conversations_sla_due_idx";--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "sla_due_at" timestamp with time zone GENERATED ALWAYS AS (coalesce(case when first_responded_at is null then first_response_due_at else next_response_due_at end, timestamptz '9999-12-31 00:00:00+00')) STORED NOT NULL;--> statement-breakpoint
ALTER TABLE "conversation_turns" ADD CONSTRAINT "conversation_turns_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "conversation_turns_in_idx" ON "conversation_turns" USING btree ("in_at");--> statement-breakpoint
CREATE INDEX "conversation_turns_agent_idx" ON "conversation_turns" USING btree ("agent_at") WHERE agent_at IS NOT NULL;--> statement-breakpoint
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
CREATE INDEX "conversations_backlog_idx" ON "conversations" USING btree ("priority","last_customer_message_at") WHERE assignee_id IS NULL AND needs_human AND status IN ('open', 'pending') AND escalation_step < 2;--> statement-breakpoint
-- The metrics' turns (apps/server/src/conversations/metrics.ts), kept by the database in the
-- transaction that writes the messages: the affected conversations' turns are recomputed from their
-- messages (notes left out). Two transactions refreshing the same conversation are ordered — by an
-- advisory lock per conversation for a few (the webhook path), by a table lock for a bulk write
-- (imports, demo data, this migration's backfill; thousands of advisory locks would exhaust the lock
-- table) — and each statement reads the other's committed messages and turns.
CREATE OR REPLACE FUNCTION nudge_refresh_turns(cids uuid[]) RETURNS void LANGUAGE plpgsql VOLATILE AS $fn$
BEGIN
  IF coalesce(cardinality(cids), 0) = 0 THEN RETURN; END IF;
  IF cardinality(cids) <= 32 THEN
    PERFORM pg_advisory_xact_lock(2020, hashtext(s.c::text)) FROM (SELECT DISTINCT c FROM unnest(cids) c ORDER BY c) s;
  ELSE
    LOCK TABLE conversation_turns IN EXCLUSIVE MODE;
  END IF;
  DELETE FROM conversation_turns WHERE conversation_id = ANY(cids);
  INSERT INTO conversation_turns (conversation_id, turn, in_at, body, auto, rule_id, reply_at, handoff, agent_at, agent_id, prev_agent_at, next_in_at, wait_no, wait_start_at, then_handoff)
  WITH m AS (
    SELECT x.conversation_id AS cid, x.id, x.direction, x.origin, x.rule_id, x.author_id, x.body, x.created_at AS at,
      count(*) FILTER (WHERE x.direction = 'in') OVER (PARTITION BY x.conversation_id ORDER BY x.created_at, x.id) AS turn
    FROM conversation_messages x
    WHERE x.conversation_id = ANY(cids) AND x.direction <> 'note'
  ),
  t AS (
    SELECT cid, turn,
      min(at) FILTER (WHERE direction = 'in') AS in_at,
      min(body) FILTER (WHERE direction = 'in') AS body,
      coalesce(bool_or(direction = 'out' AND origin IN ('auto_reply', 'welcome', 'away', 'handoff')), false) AS auto,
      min(rule_id::text) FILTER (WHERE direction = 'out' AND origin = 'auto_reply') AS rule_id,
      min(at) FILTER (WHERE direction = 'out' AND origin = 'auto_reply') AS reply_at,
      coalesce(bool_or(direction = 'out' AND origin = 'handoff'), false) AS handoff,
      min(at) FILTER (WHERE direction = 'out' AND origin = 'agent') AS agent_at,
      min(author_id::text) FILTER (WHERE direction = 'out' AND origin = 'agent') AS agent_id
    FROM m WHERE turn > 0
    GROUP BY cid, turn
  ),
  t2 AS (
    SELECT t.*,
      max(agent_at) OVER (PARTITION BY cid ORDER BY turn ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_agent_at,
      lead(in_at) OVER (PARTITION BY cid ORDER BY turn) AS next_in_at,
      count(agent_at) OVER (PARTITION BY cid ORDER BY turn ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS wait_no
    FROM t
  ),
  rr AS (
    SELECT cid, turn, coalesce(lead(handoff) OVER (PARTITION BY cid ORDER BY turn), false) AS then_handoff
    FROM t2 WHERE reply_at IS NOT NULL OR handoff
  )
  SELECT t2.cid, t2.turn, t2.in_at, t2.body, t2.auto, t2.rule_id, t2.reply_at, t2.handoff, t2.agent_at, t2.agent_id, t2.prev_agent_at, t2.next_in_at,
    t2.wait_no, min(t2.in_at) OVER (PARTITION BY t2.cid, t2.wait_no), coalesce(rr.then_handoff, false)
  FROM t2 LEFT JOIN rr ON rr.cid = t2.cid AND rr.turn = t2.turn
  WHERE EXISTS (SELECT 1 FROM conversations c WHERE c.id = t2.cid);
END
$fn$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION nudge_turns_statement() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM nudge_refresh_turns(ARRAY(SELECT DISTINCT conversation_id FROM new_rows WHERE direction <> 'note'));
  ELSE
    PERFORM nudge_refresh_turns(ARRAY(SELECT DISTINCT conversation_id FROM old_rows WHERE direction <> 'note'));
  END IF;
  RETURN NULL;
END
$fn$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION nudge_turns_row() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM nudge_refresh_turns(ARRAY[OLD.conversation_id, NEW.conversation_id]);
  RETURN NULL;
END
$fn$;--> statement-breakpoint
CREATE TRIGGER conversation_messages_turns_insert AFTER INSERT ON conversation_messages
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION nudge_turns_statement();--> statement-breakpoint
CREATE TRIGGER conversation_messages_turns_delete AFTER DELETE ON conversation_messages
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION nudge_turns_statement();--> statement-breakpoint
-- delivery-status updates (status, status_at, error, provider id) leave the turns alone
CREATE TRIGGER conversation_messages_turns_update AFTER UPDATE ON conversation_messages FOR EACH ROW
  WHEN (OLD.conversation_id IS DISTINCT FROM NEW.conversation_id OR OLD.direction IS DISTINCT FROM NEW.direction OR OLD.origin IS DISTINCT FROM NEW.origin
    OR OLD.rule_id IS DISTINCT FROM NEW.rule_id OR OLD.author_id IS DISTINCT FROM NEW.author_id OR OLD.body IS DISTINCT FROM NEW.body OR OLD.created_at IS DISTINCT FROM NEW.created_at)
  EXECUTE FUNCTION nudge_turns_row();--> statement-breakpoint
SELECT nudge_refresh_turns(ARRAY(SELECT id FROM conversations));
