// Condition tree editor shared by the segment screens and the flow nodes (if/else, segment
// entry): AND / OR groups, NOT, and leaves. Two dialects, because the two back-end trees differ
// in their leaves: `flow` is @nudge/workflow-nodes' condition (tag with has/lacks, days_since
// more_than/less_than, segment membership); `segment` is the server's segment definition
// (has_tag / lacks_tag, days_since with gt/gte/…, spend, activity).
import { useTranslation } from 'react-i18next';

export type Condition = { type: string; [key: string]: unknown };
export type Dialect = 'flow' | 'segment';
type Leaf = 'tag' | 'days_since' | 'field' | 'segment' | 'spend' | 'activity';

export const customerFields = ['tier', 'industry', 'company', 'points', 'membershipTier', 'priority', 'source', 'ownerId', 'timezone', 'winProbability', 'fullName', 'email', 'phone'] as const;
export const dateFields = ['lastFollowUpAt', 'lastInteractionAt', 'firstContactAt', 'createdAt'] as const;
const flowFieldOps = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'not_contains', 'is_empty', 'is_not_empty'] as const;
const segmentFieldOps = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'starts_with', 'is_empty', 'is_not_empty'] as const;
const compareOps = ['gte', 'gt', 'eq', 'lte', 'lt'] as const;
const interactionKinds = ['message_in', 'message_out', 'call', 'note', 'task', 'order'] as const;

export const leavesOf: Record<Dialect, Leaf[]> = {
  flow: ['tag', 'days_since', 'field', 'segment'],
  segment: ['tag', 'days_since', 'field', 'spend', 'activity'],
};

export function newLeaf(kind: Leaf, dialect: Dialect): Condition {
  if (dialect === 'flow') {
    switch (kind) {
      case 'tag': return { type: 'tag', operator: 'has', tag: '' };
      case 'days_since': return { type: 'days_since', field: 'lastFollowUpAt', operator: 'more_than', days: 30 };
      case 'segment': return { type: 'segment', operator: 'in', segmentId: '' };
      default: return { type: 'field', field: 'tier', operator: 'eq', value: '' };
    }
  }
  switch (kind) {
    case 'tag': return { type: 'has_tag', tag: '' };
    case 'days_since': return { type: 'days_since', field: 'lastFollowUpAt', op: 'gte', days: 30 };
    case 'spend': return { type: 'spend', op: 'gte', amount: 1000 };
    case 'activity': return { type: 'activity', present: false, kinds: ['message_in'], withinDays: 7 };
    default: return { type: 'field', field: 'tier', op: 'eq', value: '' };
  }
}

export function leafKind(c: Condition): Leaf | 'group' | 'not' {
  if (c.type === 'and' || c.type === 'or') return 'group';
  if (c.type === 'not') return 'not';
  if (c.type === 'has_tag' || c.type === 'lacks_tag' || c.type === 'tag') return 'tag';
  return c.type as Leaf;
}

interface Props {
  value: Condition;
  onChange: (next: Condition) => void;
  dialect: Dialect;
  tags?: readonly string[];
  segments?: readonly { id: string; name: string }[];
  depth?: number;
  onRemove?: () => void;
  /** Problems the server found, by path relative to this condition ("conditions.0.tag"), shown at it. */
  issues?: readonly { path: string; text: string }[];
}

/** The issues of child `key` ("conditions.0", "condition"), with paths relative to that child. */
function issuesOfChild(issues: readonly { path: string; text: string }[], key: string) {
  return issues.flatMap((i) => (i.path === key || i.path.startsWith(`${key}.`) ? [{ ...i, path: i.path.slice(key.length + 1) }] : []));
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

export function ConditionBuilder({ value, onChange, dialect, tags = [], segments = [], depth = 0, onRemove, issues = [] }: Props) {
  const { t } = useTranslation();
  const remove = onRemove ? (
    <button type="button" className="icon-btn" aria-label={t('cond.remove')} title={t('cond.remove')} onClick={onRemove}>
      ✕
    </button>
  ) : null;
  const kind = leafKind(value);
  const child = (c: Condition, change: (c: Condition) => void, rm?: () => void, key?: number) => (
    <ConditionBuilder
      key={key} value={c} dialect={dialect} tags={tags} segments={segments} depth={depth + 1} onChange={change} onRemove={rm}
      issues={issuesOfChild(issues, key === undefined ? 'condition' : `conditions.${key}`)}
    />
  );

  if (kind === 'group') {
    const conditions = (Array.isArray(value.conditions) ? value.conditions : []) as Condition[];
    const set = (next: Condition[]) => onChange({ ...value, conditions: next });
    return (
      <div className={`cond-group depth-${depth % 3}`} data-testid="cond-group">
        <div className="cond-group-head">
          <select aria-label={t('cond.combine')} value={value.type} onChange={(e) => onChange({ ...value, type: e.target.value })} className="nodrag">
            <option value="and">{t('cond.allOf')}</option>
            <option value="or">{t('cond.anyOf')}</option>
          </select>
          {remove}
        </div>
        {conditions.length === 0 && <p className="muted small">{t('cond.emptyGroup')}</p>}
        {conditions.map((c, i) => child(c, (n) => set(conditions.map((x, j) => (j === i ? n : x))), () => set(conditions.filter((_, j) => j !== i)), i))}
        <div className="cond-add">
          <span className="muted small">{t('cond.add')}</span>
          {leavesOf[dialect].map((k) => (
            <button type="button" key={k} className="chip-btn" onClick={() => set([...conditions, newLeaf(k, dialect)])}>
              + {t(`cond.kind_${k}`)}
            </button>
          ))}
          <button type="button" className="chip-btn" onClick={() => set([...conditions, { type: value.type === 'and' ? 'or' : 'and', conditions: [newLeaf('tag', dialect)] }])}>
            + {t('cond.group')}
          </button>
          <button type="button" className="chip-btn" onClick={() => set([...conditions, { type: 'not', condition: newLeaf('tag', dialect) }])}>
            + {t('cond.not')}
          </button>
        </div>
      </div>
    );
  }
  if (kind === 'not') {
    return (
      <div className="cond-not">
        <span className="cond-not-label">{t('cond.not')}</span>
        {child((value.condition ?? newLeaf('tag', dialect)) as Condition, (c) => onChange({ type: 'not', condition: c }))}
        {remove}
      </div>
    );
  }
  const opKey = dialect === 'flow' ? 'operator' : 'op';
  return (
    <>
    <div className={`cond-leaf${issues.length ? ' invalid' : ''}`} data-testid={`cond-${kind}`}>
      {kind === 'tag' && (
        <>
          <select
            aria-label={t('cond.operator')}
            className="nodrag"
            value={dialect === 'flow' ? str(value.operator) : value.type === 'lacks_tag' ? 'lacks' : 'has'}
            onChange={(e) => onChange(dialect === 'flow' ? { ...value, operator: e.target.value } : { type: e.target.value === 'lacks' ? 'lacks_tag' : 'has_tag', tag: value.tag })}
          >
            <option value="has">{t('cond.has')}</option>
            <option value="lacks">{t('cond.lacks')}</option>
          </select>
          <input aria-label={t('cond.tag')} className="nodrag" list="cond-tags" placeholder={t('cond.tag')} value={str(value.tag)} onChange={(e) => onChange({ ...value, tag: e.target.value })} />
          <datalist id="cond-tags">
            {tags.map((tag) => (
              <option key={tag} value={tag} />
            ))}
          </datalist>
        </>
      )}
      {kind === 'days_since' && (
        <>
          <select aria-label={t('cond.dateField')} className="nodrag" value={str(value.field)} onChange={(e) => onChange({ ...value, field: e.target.value })}>
            {dateFields.map((f) => (
              <option key={f} value={f}>
                {t(`fields.${f}`)}
              </option>
            ))}
          </select>
          {dialect === 'flow' ? (
            <select aria-label={t('cond.operator')} className="nodrag" value={str(value.operator)} onChange={(e) => onChange({ ...value, operator: e.target.value })}>
              <option value="more_than">{t('cond.more_than')}</option>
              <option value="less_than">{t('cond.less_than')}</option>
            </select>
          ) : (
            <CompareOpSelect value={str(value.op)} onChange={(op) => onChange({ ...value, op })} />
          )}
          <input aria-label={t('cond.days')} className="nodrag num" type="number" min={0} value={str(value.days)} onChange={(e) => onChange({ ...value, days: Math.max(0, Math.round(Number(e.target.value) || 0)) })} />
          <span>{t('cond.daysAgo')}</span>
        </>
      )}
      {kind === 'field' && (
        <>
          <select aria-label={t('cond.field')} className="nodrag" value={str(value.field)} onChange={(e) => onChange({ ...value, field: e.target.value })}>
            {[...customerFields, ...((customerFields as readonly string[]).includes(str(value.field)) ? [] : [str(value.field)])].map((f) => (
              <option key={f} value={f}>
                {t(`fields.${f}`, { defaultValue: f })}
              </option>
            ))}
          </select>
          <select aria-label={t('cond.operator')} className="nodrag" value={str(value[opKey])} onChange={(e) => onChange({ ...value, [opKey]: e.target.value })}>
            {(dialect === 'flow' ? flowFieldOps : segmentFieldOps).map((op) => (
              <option key={op} value={op}>
                {t(`cond.op_${op}`)}
              </option>
            ))}
          </select>
          {value[opKey] !== 'is_empty' && value[opKey] !== 'is_not_empty' && (
            <input aria-label={t('cond.value')} className="nodrag" value={str(value.value)} onChange={(e) => onChange({ ...value, value: e.target.value })} />
          )}
        </>
      )}
      {kind === 'segment' && (
        <>
          <select aria-label={t('cond.operator')} className="nodrag" value={str(value.operator)} onChange={(e) => onChange({ ...value, operator: e.target.value })}>
            <option value="in">{t('cond.seg_in')}</option>
            <option value="not_in">{t('cond.seg_not_in')}</option>
          </select>
          <SegmentSelect aria-label={t('cond.segment')} value={str(value.segmentId)} segments={segments} onChange={(segmentId) => onChange({ ...value, segmentId })} />
        </>
      )}
      {kind === 'spend' && (
        <>
          <span>{t('cond.spend')}</span>
          <CompareOpSelect value={str(value.op)} onChange={(op) => onChange({ ...value, op })} />
          <input aria-label={t('cond.amount')} className="nodrag num" type="number" value={str(value.amount)} onChange={(e) => onChange({ ...value, amount: Number(e.target.value) || 0 })} />
          <span>{t('cond.withinDays')}</span>
          <input aria-label={t('cond.withinDays')} className="nodrag num" type="number" min={1} placeholder="∞" value={str(value.withinDays)} onChange={(e) => {
            const next = { ...value };
            if (e.target.value === '') delete next.withinDays;
            else next.withinDays = Math.max(1, Math.round(Number(e.target.value)));
            onChange(next);
          }} />
        </>
      )}
      {kind === 'activity' && (
        <>
          <select aria-label={t('cond.operator')} className="nodrag" value={value.present ? 'yes' : 'no'} onChange={(e) => onChange({ ...value, present: e.target.value === 'yes' })}>
            <option value="yes">{t('cond.activityYes')}</option>
            <option value="no">{t('cond.activityNo')}</option>
          </select>
          <select aria-label={t('cond.kind')} className="nodrag" value={str((value.kinds as string[] | undefined)?.[0])} onChange={(e) => onChange({ ...value, kinds: [e.target.value] })}>
            {interactionKinds.map((k) => (
              <option key={k} value={k}>
                {t(`interaction.${k}`)}
              </option>
            ))}
          </select>
          <span>{t('cond.inLast')}</span>
          <input aria-label={t('cond.days')} className="nodrag num" type="number" min={0} value={str(value.withinDays)} onChange={(e) => onChange({ ...value, withinDays: Math.max(0, Math.round(Number(e.target.value) || 0)) })} />
          <span>{t('cond.daysUnit')}</span>
        </>
      )}
      {remove}
    </div>
    {issues.map((i, n) => (
      <p key={n} className="field-error cond-issue" data-testid="cond-issue">
        {i.text}
      </p>
    ))}
    </>
  );
}

/** A select of saved segments ("pick a segment" first), for conditions and node forms. */
export function SegmentSelect({ value, segments, onChange, id, 'aria-label': ariaLabel }: {
  value: string;
  segments: readonly { id: string; name: string }[];
  onChange: (segmentId: string) => void;
  id?: string;
  'aria-label'?: string;
}) {
  const { t } = useTranslation();
  return (
    <select id={id} aria-label={ariaLabel} className="nodrag" value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{t('cond.pickSegment')}</option>
      {segments.map((s) => (
        <option key={s.id} value={s.id}>
          {s.name}
        </option>
      ))}
    </select>
  );
}

function CompareOpSelect({ value, onChange }: { value: string; onChange: (op: string) => void }) {
  const { t } = useTranslation();
  return (
    <select aria-label={t('cond.operator')} className="nodrag" value={value} onChange={(e) => onChange(e.target.value)}>
      {compareOps.map((op) => (
        <option key={op} value={op}>
          {t(`cond.op_${op}`)}
        </option>
      ))}
    </select>
  );
}
