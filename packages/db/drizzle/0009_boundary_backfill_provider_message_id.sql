-- Inbound messages logged before provider_message_id existed kept the id in payload; carry it
-- over (the first entry per id only, so the unique index holds even if duplicates slipped in).
UPDATE "interactions" SET "provider_message_id" = "payload"->>'providerMessageId'
WHERE "id" IN (
  SELECT DISTINCT ON ("channel", "payload"->>'providerMessageId') "id"
  FROM "interactions"
  WHERE "kind" = 'message_in' AND "payload" ? 'providerMessageId' AND "provider_message_id" IS NULL
  ORDER BY "channel", "payload"->>'providerMessageId', "created_at", "id"
);
