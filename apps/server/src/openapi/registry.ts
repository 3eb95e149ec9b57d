/**
 * One OpenAPI registry for the whole API, filled by `route()` as routers are built, so the
 * document is generated from the very zod schemas that validate requests.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import type { RouteConfig } from '@asteasolutions/zod-to-openapi';

let registry = new OpenAPIRegistry();
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

export function openApiDocument(): object {
  const generator = new OpenApiGeneratorV31(registry.definitions);
  return generator.generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Nudge API',
      version: '1.0.0',
      description:
        'Nudge SCRM API. Errors are `{ error: { code, message, details? } }`. Authenticate with `Authorization: Bearer <token>` from `POST /api/auth/login`.',
    },
    servers: [{ url: '/' }],
  });
}

/** For tests that want a fresh registry. */
export function resetOpenApiRegistry(): void {
  registry = new OpenAPIRegistry();
  seen.clear();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
}
