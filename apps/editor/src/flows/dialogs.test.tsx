// Publish and resume ask whom to enroll when the trigger is "enters a segment": the count of
// customers in it now, two choices, nothing preselected, and the choice is sent to the API.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import i18n from 'i18next';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import '../i18n';
import { FlowStoreContext } from './context';
import { createFlowStore } from './store';

const api = vi.hoisted(() => ({
  enrollPreview: vi.fn(),
  publish: vi.fn(),
  lifecycle: vi.fn(),
}));
vi.mock('./api', () => ({ flowsApi: api }));
const { PublishDialog, ResumeDialog } = await import('./dialogs');

function renderPublish(onPublished = vi.fn()) {
  const store = createFlowStore();
  render(
    <FlowStoreContext.Provider value={store}>
      <PublishDialog flowId="f1" beforePublish={() => Promise.resolve()} onClose={() => undefined} onPublished={onPublished} />
    </FlowStoreContext.Provider>,
  );
  return onPublished;
}

beforeEach(async () => {
  await i18n.changeLanguage('en');
  api.publish.mockResolvedValue({});
  api.lifecycle.mockResolvedValue({});
});
afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe('publish asks whom to enroll', () => {
  it('shows how many customers match now and publishes only after a choice, with that choice', async () => {
    api.enrollPreview.mockResolvedValue({ asks: true, trigger: 'trigger.segment_entry@1', segmentId: 's', matchingNow: 759 });
    const onPublished = renderPublish();
    expect(await screen.findByText('759 customers are in the segment now.')).toBeTruthy();
    expect(api.enrollPreview).toHaveBeenCalledWith('f1', 'publish', expect.anything());
    const submit = screen.getByRole('button', { name: 'Publish' }) as HTMLButtonElement;
    expect(submit.disabled).toBe(true);
    expect((screen.getByLabelText(/already in the segment/) as HTMLInputElement).checked).toBe(false);
    fireEvent.click(screen.getByLabelText('Only customers who enter the segment from now on'));
    expect(submit.disabled).toBe(false);
    fireEvent.click(submit);
    await waitFor(() => expect(onPublished).toHaveBeenCalled());
    expect(api.publish).toHaveBeenCalledWith('f1', '', 'new');
  });

  it('asks nothing for a trigger without a standing audience', async () => {
    api.enrollPreview.mockResolvedValue({ asks: false, trigger: 'trigger.manual@1', segmentId: null, matchingNow: null });
    const onPublished = renderPublish();
    await waitFor(() => expect(screen.queryByTestId('enroll-counting')).toBeNull());
    expect(screen.queryByTestId('enroll-question')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Publish' }));
    await waitFor(() => expect(onPublished).toHaveBeenCalled());
    expect(api.publish).toHaveBeenCalledWith('f1', '', undefined);
  });

  it('speaks Traditional Chinese', async () => {
    await i18n.changeLanguage('zh-TW');
    api.enrollPreview.mockResolvedValue({ asks: true, trigger: 'trigger.segment_entry@1', segmentId: 's', matchingNow: 3 });
    renderPublish();
    expect(await screen.findByText('目前分群中有 3 位客戶。')).toBeTruthy();
    expect(screen.getByLabelText('只有從現在起進入分群的客戶')).toBeTruthy();
  });
});

describe('resume asks the same', () => {
  it('sends "existing" when the customers already in the segment are chosen', async () => {
    api.enrollPreview.mockResolvedValue({ asks: true, trigger: 'trigger.segment_entry@1', segmentId: 's', matchingNow: 1 });
    const onResumed = vi.fn();
    render(<ResumeDialog flowId="f2" onClose={() => undefined} onResumed={onResumed} />);
    expect(await screen.findByText('1 customer is in the segment now.')).toBeTruthy();
    expect(api.enrollPreview).toHaveBeenCalledWith('f2', 'resume', expect.anything());
    fireEvent.click(screen.getByLabelText(/already in the segment/));
    fireEvent.click(screen.getByRole('button', { name: 'Resume' }));
    await waitFor(() => expect(onResumed).toHaveBeenCalled());
    expect(api.lifecycle).toHaveBeenCalledWith('f2', 'resume', 'existing');
  });
});
