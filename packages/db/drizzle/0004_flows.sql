CREATE TYPE "public"."flow_run_status" AS ENUM('running', 'waiting', 'completed', 'failed', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."flow_status" AS ENUM('draft', 'active', 'paused', 'archived');--> statement-breakpoint
CREATE TYPE "public"."flow_step_status" AS ENUM('pending', 'running', 'waiting', 'done', 'failed', 'skipped');--> statement-breakpoint
CREATE TABLE "channel_sends" (
	"idempotency_key" text PRIMARY KEY NOT NULL,
	"channel" text NOT NULL,
	"state" text NOT NULL,
	"provider_message_id" text,
	"claimed_at_ms" bigint NOT NULL,
	"sent_at_ms" bigint,
	CONSTRAINT "channel_sends_state_check" CHECK ("channel_sends"."state" in ('in_flight', 'sent'))
);
--> statement-breakpoint
CREATE TABLE "flow_run_steps" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"run_id" uuid NOT NULL,
	"flow_id" uuid NOT NULL,
	"node_id" text NOT NULL,
	"node_key" text NOT NULL,
	"seq" integer NOT NULL,
	"attempt" integer DEFAULT 1 NOT NULL,
	"status" "flow_step_status" DEFAULT 'pending' NOT NULL,
	"port" text,
	"output" jsonb,
	"error" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "flow_run_steps_run_seq_uq" UNIQUE("run_id","seq")
);
--> statement-breakpoint
CREATE TABLE "flow_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"flow_id" uuid NOT NULL,
	"flow_version_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"workflow_id" text NOT NULL,
	"temporal_run_id" text,
	"status" "flow_run_status" DEFAULT 'running' NOT NULL,
	"current_node_id" text,
	"enrollment_key" text NOT NULL,
	"is_test" boolean DEFAULT false NOT NULL,
	"exit_reason" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "flow_suppressions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"flow_id" uuid,
	"customer_id" uuid NOT NULL,
	"reason" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "flow_suppressions_flow_customer_uq" UNIQUE NULLS NOT DISTINCT("flow_id","customer_id")
);
--> statement-breakpoint
CREATE TABLE "flow_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"flow_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"plan" jsonb NOT NULL,
	"graph" jsonb NOT NULL,
	"note" text,
	"published_by" uuid,
	"published_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "flow_versions_flow_version_uq" UNIQUE("flow_id","version")
);
--> statement-breakpoint
CREATE TABLE "flows" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"status" "flow_status" DEFAULT 'draft' NOT NULL,
	"draft_graph" jsonb DEFAULT '{"nodes":[],"edges":[]}'::jsonb NOT NULL,
	"owner_id" uuid,
	"enrollment" jsonb DEFAULT '{"mode":"once"}'::jsonb NOT NULL,
	"sending" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"current_version_id" uuid,
	"last_swept_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "flow_run_steps" ADD CONSTRAINT "flow_run_steps_run_id_flow_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."flow_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_run_steps" ADD CONSTRAINT "flow_run_steps_flow_id_flows_id_fk" FOREIGN KEY ("flow_id") REFERENCES "public"."flows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_runs" ADD CONSTRAINT "flow_runs_flow_id_flows_id_fk" FOREIGN KEY ("flow_id") REFERENCES "public"."flows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_runs" ADD CONSTRAINT "flow_runs_flow_version_id_flow_versions_id_fk" FOREIGN KEY ("flow_version_id") REFERENCES "public"."flow_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_runs" ADD CONSTRAINT "flow_runs_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_suppressions" ADD CONSTRAINT "flow_suppressions_flow_id_flows_id_fk" FOREIGN KEY ("flow_id") REFERENCES "public"."flows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_suppressions" ADD CONSTRAINT "flow_suppressions_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_suppressions" ADD CONSTRAINT "flow_suppressions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_versions" ADD CONSTRAINT "flow_versions_flow_id_flows_id_fk" FOREIGN KEY ("flow_id") REFERENCES "public"."flows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_versions" ADD CONSTRAINT "flow_versions_published_by_users_id_fk" FOREIGN KEY ("published_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flows" ADD CONSTRAINT "flows_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flows" ADD CONSTRAINT "flows_current_version_id_flow_versions_id_fk" FOREIGN KEY ("current_version_id") REFERENCES "public"."flow_versions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "flow_run_steps_node_status_idx" ON "flow_run_steps" USING btree ("flow_id","node_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "flow_runs_workflow_id_uq" ON "flow_runs" USING btree ("workflow_id");--> statement-breakpoint
CREATE INDEX "flow_runs_flow_status_idx" ON "flow_runs" USING btree ("flow_id","status");--> statement-breakpoint
CREATE INDEX "flow_runs_customer_idx" ON "flow_runs" USING btree ("customer_id","started_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "flow_runs_flow_customer_idx" ON "flow_runs" USING btree ("flow_id","customer_id","started_at" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "flow_runs_one_active_uq" ON "flow_runs" USING btree ("flow_id","customer_id") WHERE "flow_runs"."status" in ('running', 'waiting') and not "flow_runs"."is_test";--> statement-breakpoint
CREATE INDEX "flow_suppressions_customer_idx" ON "flow_suppressions" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "flows_status_idx" ON "flows" USING btree ("status");