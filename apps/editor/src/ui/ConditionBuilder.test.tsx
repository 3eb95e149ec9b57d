import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import i18n from 'i18next';
import { useState } from 'react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import '../i18n';
import { ConditionBuilder, type Condition, type Dialect } from './ConditionBuilder';

let last: Condition | null = null;
function Harness({ initial, dialect }: { initial: Condition; dialect: Dialect }) {
  const [value, setValue] = useState(initial);
  return <ConditionBuilder dialect={dialect} value={value} tags={['potential']} segments={[{ id: 's1', name: 'Cold potentials' }]} onChange={(c) => { last = c; setValue(c); }} />;
}

describe('ConditionBuilder', () => {
  beforeAll(async () => {
    await i18n.changeLanguage('en');
  });
  afterEach(cleanup);

  it('shows a server issue at the condition it names, nested ones included', () => {
    const tree: Condition = { type: 'and', conditions: [{ type: 'has_tag', tag: 'potential' }, { type: 'not', condition: { type: 'has_tag', tag: 'vipp' } }] };
    render(<ConditionBuilder dialect="segment" value={tree} onChange={() => {}} issues={[{ path: 'conditions.1.condition.tag', text: 'There is no tag "vipp".' }]} />);
    const leaves = screen.getAllByTestId('cond-tag');
    expect(leaves.map((l) => l.className.includes('invalid'))).toEqual([false, true]);
    expect(screen.getAllByTestId('cond-issue').map((p) => p.textContent)).toEqual(['There is no tag "vipp".']);
    expect(leaves[1]!.nextElementSibling!.textContent).toBe('There is no tag "vipp".');
  });

  it('builds the segment tree "tag = potential AND no follow-up for 30 days" in the server dialect', () => {
    render(<Harness dialect="segment" initial={{ type: 'and', conditions: [] }} />);
    fireEvent.click(screen.getByRole('button', { name: '+ tag' }));
    fireEvent.change(screen.getByLabelText('Tag'), { target: { value: 'potential' } });
    fireEvent.click(screen.getByRole('button', { name: '+ days since' }));
    expect(last).toEqual({ type: 'and', conditions: [{ type: 'has_tag', tag: 'potential' }, { type: 'days_since', field: 'lastFollowUpAt', op: 'gte', days: 30 }] });
    // "lacks tag" switches the leaf type in this dialect
    fireEvent.change(screen.getAllByLabelText('Operator')[0]!, { target: { value: 'lacks' } });
    expect(last!.conditions).toContainEqual({ type: 'lacks_tag', tag: 'potential' });
    fireEvent.change(screen.getByLabelText('Combine'), { target: { value: 'or' } });
    expect(last!.type).toBe('or');
  });

  it('uses the flow dialect for node conditions: operators, segment membership, NOT, removal', () => {
    render(<Harness dialect="flow" initial={{ type: 'and', conditions: [{ type: 'tag', operator: 'has', tag: 'potential' }] }} />);
    expect(screen.queryByRole('button', { name: '+ spend' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: '+ segment' }));
    fireEvent.change(screen.getByLabelText('Segment'), { target: { value: 's1' } });
    fireEvent.click(screen.getByRole('button', { name: '+ Not' }));
    expect(last).toEqual({
      type: 'and',
      conditions: [
        { type: 'tag', operator: 'has', tag: 'potential' },
        { type: 'segment', operator: 'in', segmentId: 's1' },
        { type: 'not', condition: { type: 'tag', operator: 'has', tag: '' } },
      ],
    });
    fireEvent.click(screen.getAllByRole('button', { name: 'Remove condition' })[0]!);
    expect((last!.conditions as Condition[]).map((c) => c.type)).toEqual(['segment', 'not']);
  });
});
