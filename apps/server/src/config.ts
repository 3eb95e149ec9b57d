/** The server's environment, validated once at start-up (zod at the boundary). */
import { z } from 'zod';

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).optional(),
  NUDGE_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL').optional(),
  NUDGE_DATA_DIR: z.string().default('.data/nudge'),
  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_LITE_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  NUDGE_TIME_SKIPPING: z.enum(['0', '1']).default('0'),
  NUDGE_EDITOR_DIST: z.string().optional(),
});

export type ServerConfig = z.infer<typeof envSchema> & { port: number; dbUrl: string };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid environment:\n${lines}`);
  }
  const c = parsed.data;
  return { ...c, port: c.NUDGE_PORT ?? c.PORT ?? 3000, dbUrl: c.DATABASE_URL ?? c.NUDGE_DATA_DIR };
}
