import { describe, expect, it } from 'vitest';
import { edge, followUpFlow, step } from './fixtures.js';
import { validateGraph } from './validate.js';

const codes = (problems: { code: string; nodeId?: string }[]) => problems.map((p) => `${p.code}@${p.nodeId ?? '-'}`).sort();

describe('validateGraph', () => {
  it('accepts the follow-up flow', () => {
    expect(validateGraph(followUpFlow(), { segments: [{ id: 'seg-potential-30d' }] })).toEqual([]);
  });

  it('reports a malformed document with its place', () => {
    const problems = validateGraph({ nodes: [{ id: 'x', data: {} }], edges: 'nope' });
    expect(problems.map((p) => p.code)).toEqual(['graph.invalid_shape', 'graph.invalid_shape']);
    expect(problems[0]).toMatchObject({ nodeId: 'x', message: expect.stringContaining('nodes.0.data.nodeType') });
  });

  it('accepts waits of seconds (≥ 1 s) but not a task due in seconds', () => {
    const g = followUpFlow();
    g.nodes[2] = step('wait', 'control.wait_for_event@1', { event: 'message.received', timeout: { amount: 30, unit: 'seconds' } });
    expect(validateGraph(g, { segments: [{ id: 'seg-potential-30d' }] })).toEqual([]);
    g.nodes[2] = step('wait', 'control.wait_for_event@1', { event: 'message.received', timeout: { amount: 0, unit: 'seconds' } });
    expect(validateGraph(g, { segments: [{ id: 'seg-potential-30d' }] })).toEqual([expect.objectContaining({ nodeId: 'wait', field: 'timeout.amount', code: 'node.invalid_config' })]);
    g.nodes[2] = step('wait', 'control.wait_for_event@1', { event: 'message.received', timeout: { amount: 3, unit: 'days' } });
    g.nodes[3] = step('task', 'action.create_task@1', { title: 'Call {name}', taskType: 'call', dueIn: { amount: 30, unit: 'seconds' } });
    expect(validateGraph(g, { segments: [{ id: 'seg-potential-30d' }] })).toEqual([expect.objectContaining({ nodeId: 'task', field: 'dueIn.unit' })]);
  });

  it('needs exactly one trigger', () => {
    const g = followUpFlow();
    expect(codes(validateGraph({ nodes: g.nodes.filter((n) => n.id !== 'trigger'), edges: g.edges.filter((e) => e.source !== 'trigger') }))).toContain(
      'flow.no_trigger@-',
    );
    g.nodes.push(step('t2', 'trigger.manual@1'));
    const problems = validateGraph(g);
    expect(codes(problems)).toContain('flow.multiple_triggers@t2');
  });

  it('flags unknown node types, invalid config with field paths, and unknown template variables', () => {
    const g = followUpFlow();
    g.nodes.push(step('mystery', 'action.teleport@1'));
    g.edges.push(edge('done', 'next', 'mystery'));
    g.nodes[1] = step('email', 'action.send_message@1', { channel: 'pigeon', body: 'Hi {nmae}' });
    g.nodes[3] = step('task', 'action.create_task@1', { title: '', dueIn: { amount: 0, unit: 'days' } });
    const problems = validateGraph(g);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ nodeId: 'mystery', code: 'node.unknown_type' }),
        expect.objectContaining({ nodeId: 'email', field: 'channel', code: 'node.invalid_config', message: 'channel: Choose one of: email, whatsapp, sms' }),
        expect.objectContaining({ nodeId: 'email', field: 'body', code: 'template.unknown_variable' }),
        expect.objectContaining({ nodeId: 'task', field: 'title', message: 'title: Give the task a title' }),
        expect.objectContaining({ nodeId: 'task', field: 'dueIn.amount', message: 'dueIn.amount: Enter a whole number of at least 1' }),
      ]),
    );
  });

  it('says "fill in this field" for a missing required value', () => {
    const g = followUpFlow();
    g.nodes[0] = step('trigger', 'trigger.segment_entry@1', {});
    expect(validateGraph(g)).toEqual([{ nodeId: 'trigger', field: 'segmentId', code: 'node.invalid_config', message: 'segmentId: Fill in this field', reason: 'required', params: { expected: 'string' } }]);
  });

  it('finds unreachable steps and branches that lead nowhere', () => {
    const g = followUpFlow();
    g.edges = g.edges.filter((e) => e.id !== 'wait-timeout-task');
    const problems = validateGraph(g);
    expect(codes(problems)).toEqual(['node.unreachable@task', 'port.unconnected@wait']);
    expect(problems.find((p) => p.code === 'port.unconnected')).toMatchObject({ port: 'timeout', message: expect.stringContaining('End step') });
  });

  it('checks edges: unknown nodes, unknown ports, into a trigger, one edge per output', () => {
    const g = followUpFlow();
    g.edges.push(
      { id: 'e-ghost', source: 'email', sourceHandle: 'next', target: 'ghost', targetHandle: 'in' },
      { id: 'e-port', source: 'wait', sourceHandle: 'maybe', target: 'task', targetHandle: 'in' },
      { id: 'e-trig', source: 'task', sourceHandle: 'next', target: 'trigger', targetHandle: 'in' },
      { id: 'e-twice', source: 'email', sourceHandle: 'next', target: 'task', targetHandle: 'in' },
    );
    const byEdge = Object.fromEntries(validateGraph(g).map((p) => [p.edgeId, p.code]));
    expect(byEdge).toEqual({
      'e-ghost': 'edge.unknown_node',
      'e-port': 'edge.unknown_port',
      'e-trig': 'edge.unknown_target_port',
      'e-twice': 'edge.port_used_twice',
    });
  });

  it('accepts a null sourceHandle on a single-output step', () => {
    const g = followUpFlow();
    g.edges[0] = { id: 'e0', source: 'trigger', sourceHandle: null, target: 'email', targetHandle: null };
    expect(validateGraph(g)).toEqual([]);
  });

  it('refuses a loop without a wait, and allows one through a wait', () => {
    const g = followUpFlow();
    g.nodes.push(step('note', 'action.add_note@1', { text: 'looping' }));
    g.edges.push(edge('task', 'next', 'note'), edge('note', 'next', 'task'));
    const problems = validateGraph(g);
    expect(codes(problems)).toEqual(['flow.cycle_without_wait@note', 'flow.cycle_without_wait@task']);
    expect(problems[0]!.message).toMatch(/loop without waiting/);

    const ok = followUpFlow();
    ok.nodes.push(step('note', 'action.add_note@1', { text: 'again' }));
    ok.edges.push(edge('task', 'next', 'note'), edge('note', 'next', 'email')); // back through the wait-for-reply
    expect(validateGraph(ok)).toEqual([]);

    const self = followUpFlow();
    self.edges.push(edge('task', 'next', 'task'));
    expect(codes(validateGraph(self))).toEqual(['flow.cycle_without_wait@task']);
  });

  it('checks references to segments, templates (and their variables) and flows when given', () => {
    const g = followUpFlow();
    g.nodes[1] = step('email', 'action.send_message@1', { channel: 'email', templateId: 'tpl-1' });
    g.nodes.push(step('other', 'action.start_flow@1', { flowId: 'flow-x' }));
    g.edges.push(edge('task', 'next', 'other'));
    const problems = validateGraph(g, {
      segments: [{ id: 'another' }],
      templates: [{ id: 'tpl-1', subject: 'Hi {name}', body: 'Budget {custom.budjet}' }],
      flows: [{ id: 'flow-y' }],
      customFields: ['budget'],
    });
    expect(problems.map((p) => [p.nodeId, p.code, p.field])).toEqual([
      ['trigger', 'reference.unknown_segment', 'segmentId'],
      ['email', 'template.unknown_variable', 'templateId'],
      ['other', 'reference.unknown_flow', 'flowId'],
    ]);
  });

  it('checks field names in conditions and field steps when the field lists are given', () => {
    const g = followUpFlow();
    g.nodes.push(
      step('check', 'condition.if_else@1', {
        condition: { type: 'and', conditions: [{ type: 'field', field: 'tire', operator: 'eq', value: 'A' }, { type: 'days_since', field: 'lastFollowUpAt', operator: 'more_than', days: 30 }] },
      }),
      step('set', 'action.update_field@1', { field: 'custom.stge', value: 'trial' }),
    );
    g.edges.push(edge('task', 'next', 'check'), edge('check', 'true', 'set'), edge('check', 'false', 'done'));
    const problems = validateGraph(g, { customerFields: ['tier', 'lastFollowUpAt'], customFields: ['stage'] });
    expect(problems.map((p) => [p.nodeId, p.field, p.code])).toEqual([
      ['check', 'condition.conditions.0.field', 'reference.unknown_field'],
      ['set', 'field', 'reference.unknown_field'],
    ]);
    expect(problems[0]!.message).toBe('The field "tire" does not exist. Pick one of: tier, lastFollowUpAt.');
  });

  it('requires every branch of switches and A/B splits, from the config', () => {
    const g = followUpFlow();
    g.nodes.push(step('split', 'control.ab_split@1', { variants: [{ id: 'a', label: 'A', percent: 50 }, { id: 'b', label: 'B', percent: 50 }] }));
    g.edges.push(edge('task', 'next', 'split'), edge('split', 'a', 'done'));
    const problems = validateGraph(g);
    expect(problems).toEqual([expect.objectContaining({ nodeId: 'split', port: 'b', code: 'port.unconnected' })]);
  });

  it('ignores canvas decorations that are not flow steps', () => {
    const g = followUpFlow();
    (g.nodes as unknown[]).push({ id: 'note-1', type: 'sticky', position: { x: 1, y: 1 }, data: { nodeType: 'sticky', text: 'hello' } });
    expect(validateGraph(g)).toEqual([]);
  });
});

describe('problem reasons', () => {
  it('gives a node-written message and a zod limit a reason code with its figures', () => {
    const g = followUpFlow();
    g.nodes[0] = step('trigger', 'trigger.segment_entry@1', { segmentId: '' });
    expect(validateGraph(g)).toEqual([expect.objectContaining({ field: 'segmentId', reason: 'pick_entry_segment', params: {} })]);
    const w = followUpFlow();
    w.nodes[3] = step('task', 'action.create_task@1', { title: 'Call {name}', taskType: 'call', dueIn: { amount: -3, unit: 'hours' } });
    expect(validateGraph(w)).toContainEqual(expect.objectContaining({ field: 'dueIn.amount', reason: 'whole_number_min_1' }));
    w.nodes[3] = step('task', 'action.create_task@1', { title: 'x'.repeat(301), taskType: 'call', dueIn: { amount: 3, unit: 'hours' } });
    expect(validateGraph(w)).toContainEqual(expect.objectContaining({ field: 'title', reason: 'too_big', params: { origin: 'string', maximum: 300, inclusive: true } }));
  });
});
