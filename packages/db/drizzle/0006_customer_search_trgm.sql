-- Customer search (GET /api/customers?q=) with trigram indexes where pg_trgm is available
-- (PostgreSQL with contrib). Where it is not (PGlite without the extension loaded) the same
-- ILIKE queries run without an index. The indexed expressions must match apps/server/src/customers/router.ts.
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'pg_trgm is not available (%): customer search runs without a trigram index', SQLERRM;
END $$;--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    EXECUTE 'CREATE INDEX IF NOT EXISTS customers_search_name_trgm ON customers USING gin ((coalesce(full_name, '''') || '' '' || coalesce(company, '''')) gin_trgm_ops)';
    EXECUTE 'CREATE INDEX IF NOT EXISTS customers_search_contact_trgm ON customers USING gin ((coalesce(email, '''') || '' '' || coalesce(phone, '''')) gin_trgm_ops)';
  END IF;
END $$;
