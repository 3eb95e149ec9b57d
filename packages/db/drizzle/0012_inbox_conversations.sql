CREATE TYPE "public"."auto_reply_hours" AS ENUM('in_hours', 'out_of_hours', 'always');--> statement-breakpoint
CREATE TYPE "public"."auto_reply_kind" AS ENUM('keyword', 'welcome', 'away', 'handoff', 'high_value');--> statement-breakpoint
CREATE TYPE "public"."auto_reply_match" AS ENUM('contains', 'exact', 'regex');--> statement-breakpoint
CREATE TYPE "public"."conversation_status" AS ENUM('open', 'pending', 'snoozed', 'resolved');--> statement-breakpoint
CREATE TYPE "public"."conversation_message_direction" AS ENUM('in', 'out', 'note');--> statement-breakpoint
CREATE TYPE "public"."conversation_message_status" AS ENUM('received', 'queued', 'sent', 'delivered', 'read', 'failed');--> statement-breakpoint
CREATE TABLE "agent_profiles" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"skills" text[] DEFAULT '{}'::text[] NOT NULL,
	"languages" text[] DEFAULT '{}'::text[] NOT NULL,
	"working_hours" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"timezone" text DEFAULT 'UTC' NOT NULL,
	"max_open" integer DEFAULT 6 NOT NULL,
	"available" boolean DEFAULT true NOT NULL,
	"last_assigned_at" timestamp with time zone,
	"supervisor" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "auto_reply_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"kind" "auto_reply_kind" DEFAULT 'keyword' NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"match" "auto_reply_match" DEFAULT 'contains' NOT NULL,
	"patterns" text[] DEFAULT '{}'::text[] NOT NULL,
	"replies" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"template" jsonb,
	"hours" "auto_reply_hours" DEFAULT 'always' NOT NULL,
	"team_id" uuid,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "conversation_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"conversation_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"direction" "conversation_message_direction" NOT NULL,
	"channel" text NOT NULL,
	"body" text DEFAULT '' NOT NULL,
	"template" jsonb,
	"attachments" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"provider_message_id" text,
	"status" "conversation_message_status" NOT NULL,
	"error" text,
	"status_at" timestamp with time zone,
	"author_id" uuid,
	"origin" text,
	"rule_id" uuid,
	"mentions" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "conversation_outbox" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key" text NOT NULL,
	"conversation_id" uuid NOT NULL,
	"purpose" text NOT NULL,
	"rule_id" uuid,
	"channel" text NOT NULL,
	"text" text DEFAULT '' NOT NULL,
	"template" jsonb,
	"due_at" timestamp with time zone DEFAULT now() NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"last_error" text,
	"message_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "conversations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"contact_user_id" text,
	"status" "conversation_status" DEFAULT 'open' NOT NULL,
	"assignee_id" uuid,
	"team_id" uuid,
	"priority" "customer_priority" DEFAULT 'P3' NOT NULL,
	"language" text DEFAULT 'en' NOT NULL,
	"needs_human" boolean DEFAULT false NOT NULL,
	"handed_off_at" timestamp with time zone,
	"first_response_due_at" timestamp with time zone,
	"next_response_due_at" timestamp with time zone,
	"first_responded_at" timestamp with time zone,
	"sla_breached_at" timestamp with time zone,
	"last_customer_message_at" timestamp with time zone,
	"last_agent_message_at" timestamp with time zone,
	"last_message_at" timestamp with time zone DEFAULT now() NOT NULL,
	"window_ends_at" timestamp with time zone,
	"last_question" text,
	"repeat_count" integer DEFAULT 0 NOT NULL,
	"unread_count" integer DEFAULT 0 NOT NULL,
	"away_sent_on" text,
	"snoozed_until" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"assigned_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "early_message_statuses" (
	"channel" text NOT NULL,
	"provider_message_id" text NOT NULL,
	"status" "conversation_message_status" NOT NULL,
	"error" text,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inbox_notifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"conversation_id" uuid,
	"body" text NOT NULL,
	"dedupe_key" text NOT NULL,
	"read_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "team_inbox_settings" (
	"team_id" uuid PRIMARY KEY NOT NULL,
	"timezone" text DEFAULT 'UTC' NOT NULL,
	"periods" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"holidays" text[] DEFAULT '{}'::text[] NOT NULL,
	"routing_keywords" text[] DEFAULT '{}'::text[] NOT NULL,
	"skill" text,
	"is_default" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
ALTER TABLE "agent_profiles" ADD CONSTRAINT "agent_profiles_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auto_reply_rules" ADD CONSTRAINT "auto_reply_rules_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_messages" ADD CONSTRAINT "conversation_messages_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_messages" ADD CONSTRAINT "conversation_messages_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_messages" ADD CONSTRAINT "conversation_messages_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_outbox" ADD CONSTRAINT "conversation_outbox_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_assignee_id_users_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbox_notifications" ADD CONSTRAINT "inbox_notifications_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbox_notifications" ADD CONSTRAINT "inbox_notifications_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_inbox_settings" ADD CONSTRAINT "team_inbox_settings_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "auto_reply_rules_order_idx" ON "auto_reply_rules" USING btree ("kind","position");--> statement-breakpoint
CREATE UNIQUE INDEX "conversation_messages_provider_uq" ON "conversation_messages" USING btree ("channel","provider_message_id");--> statement-breakpoint
CREATE INDEX "conversation_messages_conversation_idx" ON "conversation_messages" USING btree ("conversation_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "conversation_outbox_key_uq" ON "conversation_outbox" USING btree ("key");--> statement-breakpoint
CREATE INDEX "conversation_outbox_due_idx" ON "conversation_outbox" USING btree ("due_at") WHERE "conversation_outbox"."state" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "conversations_customer_channel_uq" ON "conversations" USING btree ("customer_id","channel");--> statement-breakpoint
CREATE INDEX "conversations_contact_user_idx" ON "conversations" USING btree ("channel","contact_user_id");--> statement-breakpoint
CREATE INDEX "conversations_assignee_list_idx" ON "conversations" USING btree ("assignee_id","status","last_message_at" DESC NULLS LAST,"id");--> statement-breakpoint
CREATE INDEX "conversations_team_list_idx" ON "conversations" USING btree ("team_id","status","last_message_at" DESC NULLS LAST,"id");--> statement-breakpoint
CREATE INDEX "conversations_list_idx" ON "conversations" USING btree ("status","last_message_at" DESC NULLS LAST,"id");--> statement-breakpoint
CREATE INDEX "conversations_sla_due_idx" ON "conversations" USING btree ("first_response_due_at") WHERE "conversations"."sla_breached_at" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "early_message_statuses_uq" ON "early_message_statuses" USING btree ("channel","provider_message_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "inbox_notifications_dedupe_uq" ON "inbox_notifications" USING btree ("user_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "inbox_notifications_user_idx" ON "inbox_notifications" USING btree ("user_id","created_at");