-- The drainer that holds an outbox row's lease: on PostgreSQL its session advisory lock (classid
-- 0x4e554447, objid = locked_by) shows in pg_locks while it lives, so a restarted or other server takes
-- a dead one's rows at once instead of after the lease (apps/server/src/conversations/outbox.ts).
ALTER TABLE "conversation_outbox" ADD COLUMN "locked_by" integer;
