/**
 * The template variables a flow's steps use without a fallback, by node and config field — what
 * the server checks against the targeted customers' data (a variable often empty there would
 * render as nothing; see `oftenEmptyVariableWarnings`).
 */
import { findNode } from '../registry.js';
import { templateVariables, type TemplateVariableWithoutFallback } from '../template.js';
import { flowGraphSchema } from './schema.js';

function getPath(value: unknown, path: string): unknown {
  let cur = value;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export function templateUsesWithoutFallback(graph: unknown): TemplateVariableWithoutFallback[] {
  const parsed = flowGraphSchema.safeParse(graph);
  if (!parsed.success) return [];
  const out: TemplateVariableWithoutFallback[] = [];
  for (const node of parsed.data.nodes) {
    if (node.type !== 'nudge') continue;
    const spec = findNode(node.data.nodeType);
    for (const [path, hint] of Object.entries(spec?.ui ?? {})) {
      if ((hint as { widget?: string }).widget !== 'template') continue;
      const value = getPath(node.data.config, path);
      const texts: [string, string][] =
        typeof value === 'string' ? [[path, value]] : Array.isArray(value) ? value.map((v, i) => [`${path}.${i}`, String(v)]) : [];
      for (const [field, text] of texts) {
        for (const use of templateVariables(text)) {
          if (use.fallback === null && !out.some((o) => o.nodeId === node.id && o.field === field && o.variable === use.name)) {
            out.push({ nodeId: node.id, field, variable: use.name });
          }
        }
      }
    }
  }
  return out;
}

/** Segment ids the flow's triggers target (segment entry, schedule…). */
export function targetedSegmentIds(graph: unknown): string[] {
  const parsed = flowGraphSchema.safeParse(graph);
  if (!parsed.success) return [];
  const ids = new Set<string>();
  for (const node of parsed.data.nodes) {
    if (node.type !== 'nudge' || !node.data.nodeType.startsWith('trigger.')) continue;
    const id = node.data.config.segmentId;
    if (typeof id === 'string' && id) ids.add(id);
  }
  return [...ids];
}
