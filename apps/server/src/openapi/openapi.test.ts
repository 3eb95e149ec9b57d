import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import SwaggerParser from '@apidevtools/swagger-parser';
import { createTestApp, type TestApp } from '../http/testing.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document covering every area, with bearer security', async () => {
    const res = await t.http.get('/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    // throws with the offending pointer when the document is not valid OpenAPI
    await SwaggerParser.validate(structuredClone(doc));
    const paths = Object.keys(doc.paths);
    for (const p of ['/api/auth/login', '/api/customers', '/api/customers/{id}', '/api/customers/{id}/timeline', '/api/customers/{id}/tags', '/api/customers/export.csv', '/api/tags', '/api/tags/health', '/api/segments', '/api/segments/count', '/api/quality/report']) {
      expect(paths).toContain(p);
    }
    // the webhooks are documented too
    expect(doc.paths['/api/webhooks/whatsapp'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['hub.mode', 'hub.verify_token', 'hub.challenge']);
    expect(doc.paths['/api/webhooks/whatsapp'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/WhatsAppCloudApiWebhook' });
    expect(Object.keys(doc.paths['/api/webhooks/sms'].post.requestBody.content['application/json'].schema.properties)).toEqual(['from', 'text', 'id']);
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/api/customers'].get.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/api/auth/login'].post.security).toEqual([]);
    const create = doc.paths['/api/customers'].post.requestBody.content['application/json'].schema;
    expect(JSON.stringify(create)).toContain('CustomerCreate');
    expect(doc.components.schemas.CustomerCreate.required).toEqual(['fullName']);
  });
});
