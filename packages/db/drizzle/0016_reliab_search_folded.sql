ALTER TABLE "customers" ADD COLUMN "search_folded" text GENERATED ALWAYS AS (nudge_fold(coalesce(full_name, '') || ' ' || coalesce(company, ''))) STORED;--> statement-breakpoint
-- The search now matches the folded column (apps/server/src/customers/router.ts): its trigram index
-- replaces the one on the raw name and company, where pg_trgm is available (see migration 0006).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    EXECUTE 'CREATE INDEX IF NOT EXISTS customers_search_folded_trgm ON customers USING gin (search_folded gin_trgm_ops)';
    EXECUTE 'DROP INDEX IF EXISTS customers_search_name_trgm';
  END IF;
END $$;
