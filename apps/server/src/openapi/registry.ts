/**
 * One OpenAPI registry for the whole API, filled by `route()` as routers are built, so the
 * document is generated from the very zod schemas that validate requests.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

const registry = new OpenAPIRegistry();
const seen = new Set<string>();
registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });

export function registerOperation(config: RouteConfig): void {
  const key = `${config.method} ${config.path}`;
  if (seen.has(key)) return;
  seen.add(key);
  registry.registerPath(config);
}

/** Express `/customers/:id` → OpenAPI `/customers/{id}`. */
export const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');

/**
 * Recursive schemas (zod-to-openapi cannot walk z.lazy): routes document the value as
 * `z.unknown().meta({ id: name })`, and the component is replaced here by zod's own JSON Schema.
 */
const jsonSchemaComponents = new Map<string, z.ZodType>();
export function registerRecursiveComponent(name: string, schema: z.ZodType): z.ZodType {
  jsonSchemaComponents.set(name, schema);
  return z.unknown().meta({ id: name });
}

export function openApiDocument(): object {
  const generator = new OpenApiGeneratorV31(registry.definitions);
  const doc = generator.generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Nudge API',
      version: '1.0.0',
      description:
        'Nudge SCRM API. Errors are `{ error: { code, message, details? } }`. Authenticate with `Authorization: Bearer <token>` from `POST /api/auth/login`.',
    },
    servers: [{ url: '/' }],
  });
  for (const [name, schema] of jsonSchemaComponents) {
    const { $schema: _ignored, ...js } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    const text = JSON.stringify(js).replaceAll('"$ref":"#"', `"$ref":"#/components/schemas/${name}"`);
    doc.components ??= {};
    doc.components.schemas ??= {};
    doc.components.schemas[name] = JSON.parse(text);
  }
  return doc;
}
