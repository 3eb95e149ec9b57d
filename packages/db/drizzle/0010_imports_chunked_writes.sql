CREATE TABLE "import_job_chunks" (
	"job_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"payload" jsonb,
	"customers" integer DEFAULT 0 NOT NULL,
	"applied_at" timestamp with time zone,
	CONSTRAINT "import_job_chunks_job_id_seq_pk" PRIMARY KEY("job_id","seq")
);
--> statement-breakpoint
ALTER TABLE "import_jobs" ADD COLUMN "chunks_total" integer;--> statement-breakpoint
ALTER TABLE "import_job_chunks" ADD CONSTRAINT "import_job_chunks_job_id_import_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."import_jobs"("id") ON DELETE cascade ON UPDATE no action;