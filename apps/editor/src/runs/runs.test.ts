import { describe, expect, it } from 'vitest';
import { pathEdges } from '../flows/FlowEditor';
import type { RunStep } from '../api/schemas';
import { overlayFromSteps, stepError, unknownSendResendAt } from './RunDetailView';

/** A step as GET /api/runs/:id answers it. */
const step = (s: Pick<RunStep, 'id' | 'nodeId' | 'status' | 'startedAt' | 'finishedAt'> & Partial<RunStep>): RunStep => ({
  nodeType: null, seq: Number(s.id), attempt: 1, port: null, output: null, error: null, ...s,
});

describe('run display', () => {
  it('draws the latest attempt of every step, with its failure reason', () => {
    const overlay = overlayFromSteps([
      step({ id: '1', nodeId: 'a', status: 'done', startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:01Z' }),
      step({ id: '2', nodeId: 'b', status: 'failed', startedAt: '2026-01-01T00:00:01Z', finishedAt: null, error: 'SMTP 550 mailbox unavailable' }),
      step({ id: '3', nodeId: 'b', status: 'running', startedAt: '2026-01-01T00:01:00Z', finishedAt: null }),
      step({ id: '4', nodeId: 'c', status: 'failed', startedAt: null, finishedAt: null, error: 'timeout' }),
    ]);
    expect(overlay.get('a')).toMatchObject({ status: 'done' });
    expect(overlay.get('b')).toEqual({ status: 'running', startedAt: '2026-01-01T00:01:00Z', finishedAt: null });
    expect(overlay.get('c')).toMatchObject({ status: 'failed', error: 'timeout' });
    expect(stepError({ message: 'x' })).toBe('x');
    expect(stepError(null)).toBeUndefined();
    expect(stepError({ code: 1 })).toBe('{"code":1}');
  });

  it('highlights the edges between consecutive path steps, on the port taken', () => {
    const edges = [
      { id: 'e1', source: 't', target: 'm', sourceHandle: 'next' },
      { id: 'e2', source: 'm', target: 'w', sourceHandle: 'next' },
      { id: 'e3', source: 'w', target: 'x', sourceHandle: 'replied' },
      { id: 'e4', source: 'w', target: 'x', sourceHandle: 'timeout' },
    ];
    expect([...pathEdges([{ nodeId: 't' }, { nodeId: 'm' }, { nodeId: 'w', port: 'timeout' }, { nodeId: 'x' }], edges)]).toEqual(['e1', 'e2', 'e4']);
  });

  it('shows a send whose outcome is unknown as unknown, with when it is resent', () => {
    const overlay = overlayFromSteps([step({ id: '1', nodeId: 'mail', status: 'unknown', startedAt: '2026-01-01T00:00:00Z', finishedAt: null })]);
    expect(overlay.get('mail')).toMatchObject({ status: 'unknown' });
    expect(unknownSendResendAt({ send: { state: 'unknown', channel: 'whatsapp', resendAt: '2026-01-01T00:01:00.000Z' } })).toBe('2026-01-01T00:01:00.000Z');
    expect(unknownSendResendAt({ send: { state: 'unknown', resendAt: null } })).toBeNull();
    expect(unknownSendResendAt({ providerMessageId: 'x' })).toBeNull();
  });
});
