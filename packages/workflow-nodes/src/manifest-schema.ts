/**
 * The node manifest as it crosses the wire (GET /api/nodes): the editor parses it with this
 * schema, the OpenAPI document describes it with it, and a test checks `buildManifest()` fits.
 * Tolerant where a newer server may add or leave out data (defaults; unknown keys stripped).
 * Imports only zod: the editor bundles it.
 */
import { z } from 'zod';

export const localizedSchema = z.record(z.string(), z.string());

export const manifestPortSchema = z.object({ id: z.string(), label: localizedSchema.optional(), optional: z.boolean().optional() });
export const manifestNodeSchema = z
  .object({
    key: z.string(),
    type: z.string(),
    version: z.number().optional(),
    kind: z.enum(['trigger', 'condition', 'action', 'control']),
    category: z.string().default('other'),
    icon: z.string().optional(),
    label: localizedSchema,
    description: localizedSchema.optional(),
    inputs: z.array(z.string()).default(['in']),
    outputs: z.array(manifestPortSchema).default([]),
    dynamicOutputs: z.object({ fromField: z.string(), idKey: z.string(), labelKey: z.string() }).optional(),
    configSchema: z.record(z.string(), z.unknown()).default({}),
    defaults: z.record(z.string(), z.unknown()).default({}),
    ui: z.record(z.string(), z.looseObject({ widget: z.string(), label: localizedSchema.optional() })).optional(),
    /** control nodes that pause a run (a loop must pass through one) */
    waits: z.boolean().optional(),
  })
  .meta({ id: 'ManifestNode' });
export type ManifestNodeEntry = z.infer<typeof manifestNodeSchema>;
export const manifestCategorySchema = z.object({ id: z.string(), label: localizedSchema });
export type ManifestCategory = z.infer<typeof manifestCategorySchema>;
export const nodeManifestSchema = z
  .object({ version: z.number(), categories: z.array(manifestCategorySchema).default([]), nodes: z.array(manifestNodeSchema) })
  .meta({ id: 'NodeManifest' });
