ALTER TYPE "public"."message_template_status" ADD VALUE 'paused';--> statement-breakpoint
ALTER TYPE "public"."message_template_status" ADD VALUE 'disabled';--> statement-breakpoint
ALTER TABLE "message_templates" ADD COLUMN "provider_template_id" text;