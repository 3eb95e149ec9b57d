// How a validation problem reads in the UI language. The shared validator answers in English with
// a code; codes the editor knows are rephrased in the current language with the node's and port's
// own (translated) names, the rest keep the validator's message. Pure, unit-tested.
import type { TFunction } from 'i18next';
import type { FlowWarning, ManifestNode, Problem } from '../api/schemas';
import { pickLabel } from '../i18n';
import { reasonText } from '../i18n/wording';
import type { NudgeNode } from './graph';
import { outputPorts } from './ports';

const translatedCodes = new Set([
  'flow.no_trigger', 'flow.multiple_triggers', 'node.unreachable', 'port.unconnected', 'flow.cycle_without_wait',
  'edge.port_used_twice', 'node.unknown_type', 'node.duplicate_id', 'edge.unknown_node', 'edge.unknown_port',
  'reference.unknown_segment', 'reference.unknown_template', 'reference.unknown_flow', 'reference.unknown_field', 'template.unknown_variable',
  'edge.unknown_target_port', 'graph.invalid_shape',
]);

export function problemKey(code: string): string {
  return `problemCodes.${code.replace(/\./g, '_')}`;
}

/** Strips a leading "field: " the validator puts in front of config messages. */
export function detail(p: Pick<Problem, 'field' | 'message'>): string {
  if (p.field && p.message.startsWith(`${p.field}: `)) return p.message.slice(p.field.length + 2);
  return p.message;
}

export interface ProblemContext {
  nodes: readonly NudgeNode[];
  manifest: ReadonlyMap<string, ManifestNode>;
  lng: string;
}

export function nodeDisplayName(nodeId: string | null | undefined, ctx: ProblemContext): string | null {
  const node = nodeId ? ctx.nodes.find((n) => n.id === nodeId) : undefined;
  if (!node) return null;
  const def = ctx.manifest.get(node.data.nodeType);
  return node.data.label || (def ? pickLabel(def.label, ctx.lng, node.data.nodeType) : node.data.nodeType);
}

/**
 * The validator words its generic config checks in a few fixed English sentences (its zod error
 * map); those are said again in the UI language. Messages a node wrote itself stay as they are.
 */
const genericMessages: [RegExp, string, (m: RegExpMatchArray) => Record<string, string>][] = [
  [/^Fill in this field$/, 'required', () => ({})],
  [/^Use at least (\d+) characters$/, 'minChars', (m) => ({ n: m[1]! })],
  [/^Use at most (\d+) characters$/, 'maxChars', (m) => ({ n: m[1]! })],
  [/^Add at least (\d+)$/, 'minItems', (m) => ({ n: m[1]! })],
  [/^Use at most (\d+) items$/, 'maxItems', (m) => ({ n: m[1]! })],
  [/^Use at least (-?[\d.]+)$/, 'min', (m) => ({ n: m[1]! })],
  [/^Enter a whole number of at least (-?\d+)$/, 'wholeMin', (m) => ({ n: m[1]! })],
  [/^Use more than (-?[\d.]+)$/, 'gt', (m) => ({ n: m[1]! })],
  [/^Use at most (-?[\d.]+)$/, 'max', (m) => ({ n: m[1]! })],
  [/^Use less than (-?[\d.]+)$/, 'lt', (m) => ({ n: m[1]! })],
  [/^This should be a whole number$/, 'int', () => ({})],
  [/^This should be a number$/, 'number', () => ({})],
  [/^This should be text$/, 'text', () => ({})],
  [/^Choose one of: (.*)$/, 'oneOf', (m) => ({ values: m[1]! })],
  [/^Enter a full web address, like (.*)$/, 'url', (m) => ({ example: m[1]! })],
  [/^This value does not fit any of the allowed forms$/, 'union', () => ({})],
];

/**
 * What is wrong, in the UI language, without where it is: from the problem's reason code when the
 * validator gave one (a node's own reason, or zod's too_small, invalid_type… with their figures),
 * else from its generic English sentences; a message it cannot word stays as the validator wrote it.
 * The checklist, the node cards and the field messages all call this (or describeProblem).
 */
export function localizedDetail(p: Pick<Problem, 'field' | 'message'> & { reason?: string; params?: Record<string, unknown> }, t: TFunction): string {
  const worded = reasonText(p.reason, p.params, t);
  if (worded) return worded;
  const text = detail(p);
  for (const [re, key, params] of genericMessages) {
    const m = re.exec(text);
    if (m) return t(`validatorMessages.${key}`, { ...params(m), defaultValue: text });
  }
  return text;
}

export function describeProblem(p: Problem, t: TFunction, ctx: ProblemContext): string {
  if (!translatedCodes.has(p.code)) return localizedDetail(p, t);
  const node = ctx.nodes.find((n) => n.id === p.nodeId);
  const def = node ? ctx.manifest.get(node.data.nodeType) : undefined;
  const port = p.port && node ? outputPorts(def, node.data.config).find((x) => x.id === p.port) : undefined;
  const portLabel = port ? (typeof port.label === 'string' ? port.label : pickLabel(port.label, ctx.lng, port.id)) : (p.port ?? '');
  const params = (p as { params?: Record<string, unknown> }).params ?? {};
  const variable = typeof params.variable === 'string' ? `{${params.variable}}` : '';
  return t(problemKey(p.code), { ...params, variable, node: nodeDisplayName(p.nodeId, ctx) ?? '', port: portLabel, defaultValue: detail(p) });
}

/**
 * A warning in the UI language: codes the editor knows are said again with their figures
 * (`template.often_empty`: the variable, how often it is empty, the fallback to write); others keep
 * the validator's (English) message.
 */
export function describeWarning(w: FlowWarning, t: TFunction): string {
  if (w.code === 'template.often_empty' && w.variable) {
    return t('warningCodes.template_often_empty', {
      variable: `{${w.variable}}`,
      fallback: `{${w.variable}|…}`,
      percent: Math.round(100 * (w.emptyShare ?? 0)),
      defaultValue: detail(w),
    });
  }
  return t(`warningCodes.${w.code.replace(/\./g, '_')}`, { defaultValue: detail(w) });
}

/** Where the problem is, for the checklist: the node's name and the field's label. */
export function problemLocation(p: Problem, t: TFunction, ctx: ProblemContext): string {
  const where = nodeDisplayName(p.nodeId, ctx) ?? t('problems.wholeFlow');
  if (!p.field) return where;
  const last = p.field.split('.').filter((s) => !/^\d+$/.test(s)).pop() ?? p.field;
  return `${where} · ${t(`fields.${last}`, { defaultValue: last })}`;
}
