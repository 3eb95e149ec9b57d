CREATE TABLE "customer_channel_identities" (
	"kind" text NOT NULL,
	"value" text NOT NULL,
	"customer_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customer_channel_identities_kind_value_pk" PRIMARY KEY("kind","value")
);
--> statement-breakpoint
ALTER TABLE "interactions" ADD COLUMN "provider_message_id" text;--> statement-breakpoint
ALTER TABLE "customer_channel_identities" ADD CONSTRAINT "customer_channel_identities_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "customer_channel_identities_customer_idx" ON "customer_channel_identities" USING btree ("customer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "interactions_provider_message_uq" ON "interactions" USING btree ("kind","channel","provider_message_id") WHERE "interactions"."provider_message_id" IS NOT NULL;