CREATE TABLE "hook_requests" (
	"hook_id" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"body_hash" text NOT NULL,
	"response" jsonb,
	"status" text,
	"claimed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "hook_requests_hook_id_idempotency_key_pk" PRIMARY KEY("hook_id","idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "hook_secrets" (
	"hook_id" text PRIMARY KEY NOT NULL,
	"secret" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "hook_requests_created_idx" ON "hook_requests" USING btree ("created_at");