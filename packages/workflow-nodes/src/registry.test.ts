/** Conformance: every node in the registry keeps the rules the editor, validator and interpreter rely on. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { nodeCategories } from './categories.js';
import { controlNodes } from './control.js';
import { nodeKey } from './define.js';
import { locales } from './i18n.js';
import { buildManifest } from './manifest.js';
import { nodeRegistry } from './registry.js';

const here = dirname(fileURLToPath(import.meta.url));
const folder = { trigger: 'triggers', condition: 'conditions', action: 'actions', control: 'control' } as const;

describe('node registry conformance', () => {
  it('has unique type@version keys', () => {
    const keys = nodeRegistry.map(nodeKey);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('holds every kind of the catalogue', () => {
    const kinds = new Set(nodeRegistry.map((n) => n.kind));
    expect([...kinds].sort()).toEqual(['action', 'condition', 'control', 'trigger']);
    expect(nodeRegistry.length).toBeGreaterThanOrEqual(30);
  });

  for (const node of nodeRegistry) {
    describe(nodeKey(node), () => {
      it('follows the naming rules', () => {
        expect(node.type).toMatch(new RegExp(`^${node.kind}\\.[a-z0-9_]+$`));
        expect(Number.isInteger(node.version) && node.version >= 1).toBe(true);
        expect(node.icon).toMatch(/^[a-z0-9-]+$/);
        expect(nodeCategories.map((c) => c.id)).toContain(node.category);
      });

      it('is labelled and described in all four languages', () => {
        for (const locale of locales) {
          expect(node.label[locale].trim(), locale).not.toBe('');
          expect(node.description[locale].trim(), locale).not.toBe('');
        }
      });

      it('declares its ports', () => {
        if (node.kind === 'trigger') expect(node.inputs).toEqual([]);
        else expect(node.inputs).toEqual(['in']);
        const ids = node.outputs.map((o) => o.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const o of node.outputs) {
          expect(o.id).toMatch(/^[a-z0-9_]+$/);
          for (const locale of locales) expect(o.label[locale]).not.toBe('');
        }
        const exits = node.type === 'control.end' || node.type === 'control.goal';
        if (!exits) expect(node.outputs.length + (node.dynamicOutputs ? 1 : 0)).toBeGreaterThan(0);
        if (node.dynamicOutputs) {
          const items = (node.defaults as Record<string, unknown>)[node.dynamicOutputs.fromField];
          expect(Array.isArray(items)).toBe(true);
        }
      });

      it('has a config that converts to JSON Schema', () => {
        const schema = z.toJSONSchema(node.config, { io: 'input' });
        expect(schema.type).toBe('object');
      });

      it('has defaults whose every value is valid', () => {
        const result = node.config.safeParse(node.defaults);
        if (!result.success) {
          // only fields the defaults leave out (required, no sensible default) may be reported
          for (const issue of result.error.issues) {
            const top = issue.path[0];
            expect(top === undefined ? '(root)' : String(top), `${issue.message} at ${issue.path.join('.')}`).not.toBe('(root)');
            expect(Object.keys(node.defaults), `default for ${String(top)} is invalid: ${issue.message}`).not.toContain(top);
          }
        }
      });

      it('points its ui hints at config fields', () => {
        const shape = z.toJSONSchema(node.config, { io: 'input' }) as { properties?: Record<string, unknown> };
        for (const path of Object.keys(node.ui ?? {})) {
          expect(Object.keys(shape.properties ?? {}), path).toContain(path.split('.')[0]);
        }
      });

      it('has behaviour matching its kind', () => {
        if (node.kind === 'trigger') expect(node.trigger.mode).toMatch(/^(event|sweep|schedule|manual)$/);
        if (node.kind === 'action' || node.kind === 'condition') expect(typeof node.run).toBe('function');
        if (node.kind === 'control') expect(typeof node.decide).toBe('function');
      });

      it('has a test file', () => {
        const file = join(here, 'nodes', folder[node.kind], `${node.type.split('.')[1]}.test.ts`);
        expect(existsSync(file), file).toBe(true);
      });
    });
  }

  it('exports every control node through the sandbox entry point', () => {
    const control = nodeRegistry.filter((n) => n.kind === 'control').map(nodeKey);
    expect(controlNodes.map(nodeKey).sort()).toEqual(control.sort());
  });

  it('builds a JSON manifest with the shared contract shape', () => {
    const manifest = buildManifest();
    expect(manifest.version).toBe(1);
    expect(manifest.nodes).toHaveLength(nodeRegistry.length);
    const roundTrip = JSON.parse(JSON.stringify(manifest));
    expect(roundTrip).toEqual(manifest);
    const send = manifest.nodes.find((n) => n.key === 'action.send_message@1')!;
    expect(send).toMatchObject({ type: 'action.send_message', version: 1, kind: 'action', inputs: ['in'] });
    expect(send.outputs.map((o) => o.id)).toEqual(['next']);
    expect(send.ui?.body?.widget).toBe('template');
    expect((send.configSchema as { properties: Record<string, unknown> }).properties.channel).toBeTruthy();
    const split = manifest.nodes.find((n) => n.key === 'control.ab_split@1')!;
    expect(split.dynamicOutputs).toEqual({ fromField: 'variants', idKey: 'id', labelKey: 'label' });
    const waitForEvent = manifest.nodes.find((n) => n.key === 'control.wait_for_event@1')!;
    expect(waitForEvent.outputs.map((o) => o.id)).toEqual(['replied', 'timeout']);
    expect(waitForEvent.waits).toBe(true);
  });
});
