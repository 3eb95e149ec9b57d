CREATE TABLE "flow_enroll_baseline" (
	"flow_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	CONSTRAINT "flow_enroll_baseline_flow_id_customer_id_pk" PRIMARY KEY("flow_id","customer_id")
);
--> statement-breakpoint
ALTER TABLE "flow_versions" ADD COLUMN "enroll_existing" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "flows" ADD COLUMN "enroll_new_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "flow_enroll_baseline" ADD CONSTRAINT "flow_enroll_baseline_flow_id_flows_id_fk" FOREIGN KEY ("flow_id") REFERENCES "public"."flows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_enroll_baseline" ADD CONSTRAINT "flow_enroll_baseline_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;