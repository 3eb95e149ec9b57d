/**
 * One validator for the editor and the server: every problem of a flow graph, each tied to a
 * node id (and config field or port) with a message a manager can act on. Pure.
 */
import type { z } from 'zod';
import type { DynamicOutputs, NodeEffects, NodeKind, OutputPort, RetryPolicy, UiHint } from '../define.js';
import { nodeKey } from '../define.js';
import { nodeRegistry } from '../registry.js';
import { unknownTemplateVariables } from '../template.js';
import { friendlyErrorMap, issuePath, issueReason } from './messages.js';
import type { FlowGraph, FlowProblem, GraphEdge, GraphNode, ParsedFlowGraph } from './schema.js';
import { getPath, outputPorts } from './ports.js';
import { flowGraphSchema } from './schema.js';

/** What the validator needs of a node definition (every registry entry fits). */
export interface GraphNodeSpec {
  type: string;
  version: number;
  kind: NodeKind;
  inputs: readonly string[];
  outputs: readonly OutputPort[];
  dynamicOutputs?: DynamicOutputs;
  config: z.ZodType;
  ui?: Readonly<Record<string, UiHint>>;
  waits?: boolean;
  retry?: RetryPolicy;
  timeoutMs?: number;
  effects?: NodeEffects;
  sendingWindow?: boolean;
}

export interface ValidateOptions {
  registry?: readonly GraphNodeSpec[];
  /** saved templates; when given, templateId references and their variables are checked */
  templates?: readonly { id: string; subject?: string | null; body: string }[];
  /** saved segments; when given, segmentId references are checked */
  segments?: readonly { id: string; name?: string }[];
  /** published flows; when given, flowId references are checked */
  flows?: readonly { id: string; name?: string }[];
  /** custom field keys; when given, {custom.x} variables and `custom.x` field references must name one */
  customFields?: readonly string[];
  /** customer field names (tier, industry, lastFollowUpAt…); when given, field references must name one */
  customerFields?: readonly string[];
}

export interface ResolvedNode {
  node: GraphNode;
  spec: GraphNodeSpec;
  /** parsed config (defaults filled) or null when invalid */
  config: Record<string, unknown> | null;
  ports: { id: string; optional: boolean }[];
}

export interface GraphAnalysis {
  graph: ParsedFlowGraph | null;
  problems: FlowProblem[];
  resolved: Map<string, ResolvedNode>;
  /** node id → port → target node id, from the valid edges */
  wiring: Map<string, Map<string, string>>;
  triggerIds: string[];
  reachable: Set<string>;
}

const nameOf = (n: GraphNode) => (n.data.label ? `"${n.data.label}"` : `step ${n.id}`);

/** Walks a config for keys naming references (segmentId, templateId, flowId). */
function collectReferences(value: unknown, key: string, path: string[] = [], into: { path: string; id: string }[] = []) {
  if (Array.isArray(value)) value.forEach((v, i) => collectReferences(v, key, [...path, String(i)], into));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === key && typeof v === 'string' && v) into.push({ path: [...path, k].join('.'), id: v });
      else collectReferences(v, key, [...path, k], into);
    }
  }
  return into;
}

/** Every `field` a config names: condition leaves, update-field, field-changed and date triggers. */
function collectFieldReferences(value: unknown, path: string[] = [], into: { path: string; field: string }[] = []) {
  if (Array.isArray(value)) value.forEach((v, i) => collectFieldReferences(v, [...path, String(i)], into));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'field' && typeof v === 'string' && v) into.push({ path: [...path, k].join('.'), field: v });
      else collectFieldReferences(v, [...path, k], into);
    }
  }
  return into;
}

/** Tarjan's strongly connected components over the wiring. */
function stronglyConnected(ids: readonly string[], wiring: Map<string, Map<string, string>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string) => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of wiring.get(v)?.values() ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      components.push(component);
    }
  };
  for (const id of ids) if (!indices.has(id)) visit(id);
  return components;
}

export function analyzeGraph(input: unknown, options: ValidateOptions = {}): GraphAnalysis {
  const registry = options.registry ?? nodeRegistry;
  const specs = new Map(registry.map((s) => [nodeKey(s), s]));
  const problems: FlowProblem[] = [];
  const resolved = new Map<string, ResolvedNode>();
  const wiring = new Map<string, Map<string, string>>();
  const empty: GraphAnalysis = { graph: null, problems, resolved, wiring, triggerIds: [], reachable: new Set() };

  const parsed = flowGraphSchema.safeParse(input, { error: friendlyErrorMap });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [collection, index] = issue.path;
      const raw = input as { nodes?: { id?: unknown }[]; edges?: { id?: unknown }[] } | null;
      const ref =
        typeof index === 'number' && (collection === 'nodes' || collection === 'edges') ? raw?.[collection]?.[index]?.id : undefined;
      problems.push({
        ...(collection === 'nodes' && typeof ref === 'string' ? { nodeId: ref } : {}),
        ...(collection === 'edges' && typeof ref === 'string' ? { edgeId: ref } : {}),
        code: 'graph.invalid_shape',
        message: `The saved flow is malformed at ${issuePath(issue.path) || 'the top level'}: ${issue.message}`,
      });
    }
    return empty;
  }
  const graph = parsed.data;
  const steps = graph.nodes.filter((n) => n.type === 'nudge');

  // nodes: known type, valid config
  for (const node of steps) {
    if (resolved.has(node.id)) {
      problems.push({ nodeId: node.id, code: 'node.duplicate_id', message: `Two steps share the id "${node.id}"; every step needs its own id.` });
      continue;
    }
    const spec = specs.get(node.data.nodeType);
    if (!spec) {
      problems.push({
        nodeId: node.id,
        code: 'node.unknown_type',
        message: `${nameOf(node)} is a "${node.data.nodeType}" step, which this version of Nudge does not know. Replace it with a known step.`,
      });
      continue;
    }
    const result = spec.config.safeParse(node.data.config, { error: friendlyErrorMap });
    if (!result.success) {
      for (const issue of result.error.issues) {
        const field = issuePath(issue.path);
        problems.push({
          nodeId: node.id,
          ...(field ? { field } : {}),
          code: 'node.invalid_config',
          message: field ? `${field}: ${issue.message}` : issue.message,
          ...issueReason(issue),
        });
      }
    }
    const config = result.success ? (result.data as Record<string, unknown>) : null;
    const ports = outputPorts(spec, config ?? node.data.config).map((p) => ({ id: p.id, optional: p.optional }));
    resolved.set(node.id, { node, spec, config, ports });
  }

  // edges: known ends and ports, one edge per output port
  const knownIds = new Set(graph.nodes.map((n) => n.id));
  for (const edge of graph.edges as GraphEdge[]) {
    const source = resolved.get(edge.source);
    const target = resolved.get(edge.target);
    if (!knownIds.has(edge.source) || !knownIds.has(edge.target)) {
      const missing = !knownIds.has(edge.source) ? edge.source : edge.target;
      problems.push({
        edgeId: edge.id,
        ...(source ? { nodeId: source.node.id } : target ? { nodeId: target.node.id } : {}),
        code: 'edge.unknown_node',
        message: `A connection points to step "${missing}", which is not in the flow. Delete the connection.`,
      });
      continue;
    }
    if (!source || !target) continue; // an unknown step type was reported already
    const port = edge.sourceHandle ?? (source.ports.length === 1 ? source.ports[0]!.id : null);
    if (!port || !source.ports.some((p) => p.id === port)) {
      problems.push({
        edgeId: edge.id,
        nodeId: source.node.id,
        ...(port ? { port } : {}),
        code: 'edge.unknown_port',
        message: `${nameOf(source.node)} has no output "${port ?? '(none)'}"; reconnect from one of: ${
          source.ports.map((p) => p.id).join(', ') || 'none (this step ends the flow)'
        }.`,
      });
      continue;
    }
    if (target.spec.inputs.length === 0 || (edge.targetHandle != null && !target.spec.inputs.includes(edge.targetHandle))) {
      problems.push({
        edgeId: edge.id,
        nodeId: target.node.id,
        code: 'edge.unknown_target_port',
        message:
          target.spec.kind === 'trigger'
            ? `${nameOf(target.node)} is a trigger: it starts the flow and cannot follow another step.`
            : `${nameOf(target.node)} has no input "${edge.targetHandle}".`,
      });
      continue;
    }
    const outs = wiring.get(source.node.id) ?? new Map<string, string>();
    if (outs.has(port)) {
      problems.push({
        edgeId: edge.id,
        nodeId: source.node.id,
        port,
        code: 'edge.port_used_twice',
        message: `The "${port}" output of ${nameOf(source.node)} is connected twice; an output leads to one next step only.`,
      });
      continue;
    }
    outs.set(port, target.node.id);
    wiring.set(source.node.id, outs);
  }

  // exactly one trigger
  const triggerIds = [...resolved.values()].filter((r) => r.spec.kind === 'trigger').map((r) => r.node.id);
  if (triggerIds.length === 0) {
    problems.push({ code: 'flow.no_trigger', message: 'The flow has no trigger. Add one trigger to say when customers enter the flow.' });
  }
  for (const extra of triggerIds.slice(1)) {
    problems.push({
      nodeId: extra,
      code: 'flow.multiple_triggers',
      message: 'A flow has one trigger. Remove this one, or make a second flow for it.',
    });
  }

  // reachability from the trigger; goals are flow-wide and need no incoming connection
  const reachable = new Set<string>();
  const queue = triggerIds.slice(0, 1);
  while (queue.length) {
    const id = queue.shift()!;
    if (reachable.has(id)) continue;
    reachable.add(id);
    for (const next of wiring.get(id)?.values() ?? []) queue.push(next);
  }
  for (const r of resolved.values()) {
    if (r.spec.kind === 'trigger' || reachable.has(r.node.id) || r.spec.type === 'control.goal') continue;
    problems.push({
      nodeId: r.node.id,
      code: 'node.unreachable',
      message: `No path from the trigger leads to ${nameOf(r.node)}. Connect it, or delete it.`,
    });
  }

  // every required output connected
  for (const r of resolved.values()) {
    const outs = wiring.get(r.node.id);
    for (const port of r.ports) {
      if (port.optional || outs?.has(port.id)) continue;
      problems.push({
        nodeId: r.node.id,
        port: port.id,
        code: 'port.unconnected',
        message: `The "${port.id}" output of ${nameOf(r.node)} leads nowhere. Connect it to the next step, or to an End step if nothing should happen.`,
      });
    }
  }

  // loops must pass through a wait
  for (const component of stronglyConnected([...resolved.keys()], wiring)) {
    const first = component[0]!;
    const isLoop = component.length > 1 || [...(wiring.get(first)?.values() ?? [])].includes(first);
    if (!isLoop) continue;
    if (component.some((id) => resolved.get(id)?.spec.waits === true)) continue;
    const names = component.map((id) => nameOf(resolved.get(id)!.node)).join(' → ');
    for (const id of component) {
      problems.push({
        nodeId: id,
        code: 'flow.cycle_without_wait',
        message: `These steps loop without waiting (${names}); a customer would go round forever. Add a Wait step inside the loop or break it.`,
      });
    }
  }

  // template variables and references
  const templates = options.templates ? new Map(options.templates.map((t) => [t.id, t])) : null;
  const known = options.customFields ? { customFields: options.customFields } : {};
  for (const r of resolved.values()) {
    const config = r.config ?? r.node.data.config;
    for (const [path, hint] of Object.entries(r.spec.ui ?? {})) {
      if (hint.widget !== 'template') continue;
      const value = getPath(config, path);
      const texts: [string, string][] =
        typeof value === 'string' ? [[path, value]] : Array.isArray(value) ? value.map((v, i) => [`${path}.${i}`, String(v)]) : [];
      for (const [field, text] of texts) {
        for (const problem of unknownTemplateVariables(text, known)) {
          problems.push({ nodeId: r.node.id, field, code: 'template.unknown_variable', message: problem.message, params: { variable: problem.name } });
        }
      }
    }
    const checks: [string, ReadonlyMap<string, unknown> | null, string][] = [
      ['segmentId', options.segments ? new Map(options.segments.map((s) => [s.id, s])) : null, 'segment'],
      ['templateId', templates, 'message template'],
      ['flowId', options.flows ? new Map(options.flows.map((f) => [f.id, f])) : null, 'flow'],
    ];
    for (const [key, known, what] of checks) {
      if (!known) continue;
      for (const ref of collectReferences(config, key)) {
        if (!known.has(ref.id)) {
          problems.push({
            nodeId: r.node.id,
            field: ref.path,
            code: `reference.unknown_${key.replace('Id', '')}`,
            message: `The ${what} "${ref.id}" does not exist (deleted?). Pick another ${what}.`,
            params: { id: ref.id },
          });
        }
      }
    }
    if (options.customerFields || options.customFields) {
      for (const ref of collectFieldReferences(config)) {
        const custom = ref.field.startsWith('custom.');
        const list = custom ? options.customFields : options.customerFields;
        const name = custom ? ref.field.slice('custom.'.length) : ref.field;
        if (!list || list.includes(name)) continue;
        problems.push({
          nodeId: r.node.id,
          field: ref.path,
          code: 'reference.unknown_field',
          message: `The ${custom ? 'custom field' : 'field'} "${name}" does not exist. Pick one of: ${list.slice(0, 20).join(', ') || 'none'}.`,
          params: { name },
        });
      }
    }
    if (templates) {
      for (const ref of collectReferences(config, 'templateId')) {
        const template = templates.get(ref.id);
        if (!template) continue;
        for (const text of [template.subject ?? '', template.body]) {
          for (const problem of unknownTemplateVariables(text, known)) {
            problems.push({
              nodeId: r.node.id,
              field: ref.path,
              code: 'template.unknown_variable',
              message: `In template "${ref.id}": ${problem.message}`,
              params: { variable: problem.name, template: ref.id },
            });
          }
        }
      }
    }
  }

  return { graph, problems, resolved, wiring, triggerIds, reachable };
}

/** Every problem of a flow graph; an empty list means it can be published. */
export function validateGraph(graph: FlowGraph | unknown, options: ValidateOptions = {}): FlowProblem[] {
  return analyzeGraph(graph, options).problems;
}
