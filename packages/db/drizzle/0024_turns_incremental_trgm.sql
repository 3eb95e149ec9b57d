-- conversation_turns (migration 0023) kept incrementally: a message written after every other one
-- of its conversation (the webhook's inbound, an auto-reply, an agent's answer — nearly every
-- write) updates the conversation's last turn or appends the next one, reading only that turn and
-- at most one earlier one (the last turn answered by a reply or a hand-off, for then_handoff):
-- the cost no longer grows with the conversation. Everything else — a message dated before one
-- already stored (a transaction that started earlier committing later), an edit, a delete, a bulk
-- write over more than 32 conversations or 256 messages — still recomputes the affected
-- conversations with nudge_refresh_turns, which stays the definition (the equivalence test in
-- packages/db/src/turns.test.ts compares both over random histories on both drivers).
-- Locks as before: an advisory lock per conversation, taken in id order, before reading its turns.
CREATE OR REPLACE FUNCTION nudge_turns_append(p_cid uuid, p_dir text, p_origin text, p_rule text, p_author text, p_body text, p_at timestamptz)
RETURNS void LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  l conversation_turns%ROWTYPE;
  was_rr boolean;
  was_handoff boolean;
BEGIN
  SELECT * INTO l FROM conversation_turns WHERE conversation_id = p_cid ORDER BY turn DESC LIMIT 1;
  IF p_dir = 'in' THEN
    IF FOUND THEN
      UPDATE conversation_turns SET next_in_at = p_at WHERE conversation_id = p_cid AND turn = l.turn;
      INSERT INTO conversation_turns (conversation_id, turn, in_at, body, auto, rule_id, reply_at, handoff, agent_at, agent_id, prev_agent_at, next_in_at, wait_no, wait_start_at, then_handoff)
      VALUES (p_cid, l.turn + 1, p_at, p_body, false, NULL, NULL, false, NULL, NULL, greatest(l.prev_agent_at, l.agent_at), NULL,
        l.wait_no + CASE WHEN l.agent_at IS NULL THEN 0 ELSE 1 END, CASE WHEN l.agent_at IS NULL THEN l.wait_start_at ELSE p_at END, false);
    ELSE
      INSERT INTO conversation_turns (conversation_id, turn, in_at, body, auto, rule_id, reply_at, handoff, agent_at, agent_id, prev_agent_at, next_in_at, wait_no, wait_start_at, then_handoff)
      VALUES (p_cid, 1, p_at, p_body, false, NULL, NULL, false, NULL, NULL, NULL, NULL, 0, p_at, false);
    END IF;
    RETURN;
  END IF;
  -- an outbound message before the customer's first one belongs to no turn; other origins (follow_up) change nothing
  IF NOT FOUND OR p_dir <> 'out' OR p_origin IS NULL OR p_origin NOT IN ('auto_reply', 'welcome', 'away', 'handoff', 'agent') THEN RETURN; END IF;
  was_rr := l.reply_at IS NOT NULL OR l.handoff;
  was_handoff := l.handoff;
  UPDATE conversation_turns SET
    auto = auto OR p_origin <> 'agent',
    rule_id = CASE WHEN p_origin = 'auto_reply' THEN least(rule_id, p_rule) ELSE rule_id END,
    reply_at = CASE WHEN p_origin = 'auto_reply' THEN least(reply_at, p_at) ELSE reply_at END,
    handoff = handoff OR p_origin = 'handoff',
    agent_at = CASE WHEN p_origin = 'agent' THEN least(agent_at, p_at) ELSE agent_at END,
    agent_id = CASE WHEN p_origin = 'agent' THEN least(agent_id, p_author) ELSE agent_id END
  WHERE conversation_id = p_cid AND turn = l.turn
  RETURNING * INTO l;
  -- then_handoff of the turn answered before this one: whether the next answered turn (now this one) was a hand-off
  IF (l.reply_at IS NOT NULL OR l.handoff) AND (NOT was_rr OR l.handoff <> was_handoff) THEN
    UPDATE conversation_turns SET then_handoff = l.handoff
    WHERE conversation_id = p_cid AND turn = (
      SELECT p.turn FROM conversation_turns p
      WHERE p.conversation_id = p_cid AND p.turn < l.turn AND (p.reply_at IS NOT NULL OR p.handoff)
      ORDER BY p.turn DESC LIMIT 1);
  END IF;
END
$fn$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION nudge_turns_statement() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  cids uuid[];
  redo uuid[];
  r record;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM nudge_refresh_turns(ARRAY(SELECT DISTINCT conversation_id FROM old_rows WHERE direction <> 'note'));
    RETURN NULL;
  END IF;
  cids := ARRAY(SELECT DISTINCT conversation_id FROM new_rows WHERE direction <> 'note' ORDER BY 1);
  IF cardinality(cids) = 0 THEN RETURN NULL; END IF;
  IF cardinality(cids) > 32 OR (SELECT count(*) FROM new_rows) > 256 THEN
    PERFORM nudge_refresh_turns(cids);
    RETURN NULL;
  END IF;
  PERFORM pg_advisory_xact_lock(2020, hashtext(c::text)) FROM unnest(cids) c;
  -- conversations where a new message sorts before a stored one: recomputed
  redo := ARRAY(SELECT DISTINCT n.conversation_id FROM new_rows n
    WHERE n.direction <> 'note' AND EXISTS (
      SELECT 1 FROM conversation_messages x
      WHERE x.conversation_id = n.conversation_id AND x.direction <> 'note' AND x.created_at >= n.created_at
        AND (x.created_at, x.id) > (n.created_at, n.id)
        AND NOT EXISTS (SELECT 1 FROM new_rows y WHERE y.id = x.id)));
  IF cardinality(redo) > 0 THEN PERFORM nudge_refresh_turns(redo); END IF;
  FOR r IN SELECT n.conversation_id, n.direction::text AS dir, n.origin, n.rule_id::text AS rule, n.author_id::text AS author, n.body, n.created_at
    FROM new_rows n WHERE n.direction <> 'note' AND NOT (n.conversation_id = ANY(redo))
    ORDER BY n.conversation_id, n.created_at, n.id
  LOOP
    PERFORM nudge_turns_append(r.conversation_id, r.dir, r.origin, r.rule, r.author, r.body, r.created_at);
  END LOOP;
  RETURN NULL;
END
$fn$;
--> statement-breakpoint
-- Trigram indexes of the customer search on PGlite too: packages/db now loads PGlite's pg_trgm
-- (contrib), so a PGlite database migrated before that — where 0006 and 0016 found no pg_trgm and
-- skipped them — gets them here; on PostgreSQL (and a new PGlite database) they exist already.
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'pg_trgm is not available (%): customer search runs without a trigram index', SQLERRM;
END $$;--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    EXECUTE 'CREATE INDEX IF NOT EXISTS customers_search_folded_trgm ON customers USING gin (search_folded gin_trgm_ops)';
    EXECUTE 'CREATE INDEX IF NOT EXISTS customers_search_contact_trgm ON customers USING gin ((coalesce(email, '''') || '' '' || coalesce(phone, '''')) gin_trgm_ops)';
  END IF;
END $$;
