import { describe, expect, it } from 'vitest';
import { createMemoryContext } from '../../testing/memory-context.js';
import { startFlowAction } from './start_flow.js';

describe('action.start_flow', () => {
  it('starts the other flow once, even when the step is retried', async () => {
    const { ctx, world } = createMemoryContext({ customers: [{ id: 'c1', name: 'Ana' }], run: { idempotencyKey: 'run-3:n4' } });
    const cfg = startFlowAction.config.parse({ flowId: 'flow-onboarding' });
    const first = await startFlowAction.run(ctx, cfg);
    expect(first.output).toMatchObject({ flowId: 'flow-onboarding', runId: 'run-1' });
    const retry = await startFlowAction.run(ctx, cfg);
    expect(retry.status).toBe('skipped');
    expect(world.flowsStarted).toEqual([{ flowId: 'flow-onboarding', customerId: 'c1', enrollmentKey: 'from:run-3:n4' }]);
  });
});
