// Widgets named by the manifest's `ui` hints. Every input carries `nodrag` so typing or selecting
// text in the side panel never drags the canvas.
import { useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ConditionBuilder, SegmentSelect, type Condition } from '../ui/ConditionBuilder';
import { cronError, describeCron } from './cron';
import { useLookups } from './lookups';

export const durationUnits = ['minutes', 'hours', 'days', 'weeks'] as const;
type Unit = 'seconds' | (typeof durationUnits)[number];

/** `units`: the units the field's schema allows (a wait also takes seconds); default minutes…weeks. */
export function DurationInput({ id, value, onChange, units = durationUnits }: { id: string; value: unknown; onChange: (v: unknown) => void; units?: readonly string[] }) {
  const { t } = useTranslation();
  const v = value && typeof value === 'object' ? (value as { amount?: number; unit?: Unit }) : { amount: undefined, unit: 'days' as Unit };
  return (
    <div className="duration-input">
      <input
        id={id}
        className="nodrag num"
        type="number"
        min={1}
        step={1}
        aria-label={t('widgets.amount')}
        value={v.amount ?? ''}
        onChange={(e) => onChange({ unit: v.unit ?? 'days', amount: e.target.value === '' ? undefined : Math.round(Number(e.target.value)) })}
      />
      <select className="nodrag" aria-label={t('widgets.unit')} value={v.unit ?? 'days'} onChange={(e) => onChange({ amount: v.amount, unit: e.target.value })}>
        {units.map((u) => (
          <option key={u} value={u}>
            {t(`duration.${u}`)}
          </option>
        ))}
      </select>
    </div>
  );
}

export const templateVariables = ['name', 'company', 'email', 'phone', 'owner', 'last_product', 'tier'] as const;

export function TemplateInput({ id, value, onChange, multiline = true }: { id: string; value: unknown; onChange: (v: string) => void; multiline?: boolean }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLTextAreaElement & HTMLInputElement>(null);
  const text = typeof value === 'string' ? value : '';
  function insert(variable: string) {
    const el = ref.current;
    const token = `{${variable}}`;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    const next = text.slice(0, start) + token + text.slice(end);
    onChange(next);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + token.length, start + token.length);
    });
  }
  return (
    <div className="template-input">
      {multiline ? (
        <textarea id={id} ref={ref} className="nodrag" rows={4} value={text} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input id={id} ref={ref} className="nodrag" value={text} onChange={(e) => onChange(e.target.value)} />
      )}
      <div className="variable-picker" aria-label={t('widgets.variables')}>
        <span className="muted small">{t('widgets.insertVariable')}</span>
        {templateVariables.map((v) => (
          <button type="button" key={v} className="chip-btn" onClick={() => insert(v)} title={t(`variables.${v}`)}>
            {`{${v}}`}
          </button>
        ))}
      </div>
    </div>
  );
}

const cronPresets = ['0 9 * * *', '0 9 * * 1', '0 9 1 * *', '0 10 * * 1-5'];

export function CronInput({ id, value, onChange }: { id: string; value: unknown; onChange: (v: string) => void }) {
  const { t, i18n } = useTranslation();
  const expr = typeof value === 'string' ? value : '';
  const error = expr ? cronError(expr) : null;
  const text = expr && !error ? describeCron(expr, t, i18n.language) : '';
  return (
    <div className="cron-input">
      <input id={id} className="nodrag mono" value={expr} placeholder="0 9 1 * *" onChange={(e) => onChange(e.target.value)} aria-invalid={!!error} />
      <div className="cron-presets">
        {cronPresets.map((p) => (
          <button type="button" key={p} className="chip-btn" onClick={() => onChange(p)}>
            {p}
          </button>
        ))}
      </div>
      {error ? <p className="field-error">{t(`cron.error_${error}`)}</p> : text ? <p className="muted small">{text}</p> : null}
    </div>
  );
}

function allTimezones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  return intl.supportedValuesOf?.('timeZone') ?? ['UTC', 'Asia/Taipei', 'Asia/Shanghai', 'Asia/Hong_Kong', 'America/Mexico_City', 'Europe/Madrid', 'America/New_York'];
}

export function TimezoneInput({ id, value, onChange }: { id: string; value: unknown; onChange: (v: string) => void }) {
  const { t } = useTranslation();
  const zones = useMemo(allTimezones, []);
  const tz = typeof value === 'string' ? value : '';
  return (
    <select id={id} className="nodrag" value={tz} onChange={(e) => onChange(e.target.value)}>
      <option value="">{t('widgets.customerTimezone')}</option>
      {zones.map((z) => (
        <option key={z} value={z}>
          {z.replace(/_/g, ' ')}
        </option>
      ))}
    </select>
  );
}

export function TagsInput({ id, value, onChange }: { id: string; value: unknown; onChange: (v: string[]) => void }) {
  const { t } = useTranslation();
  const { tags } = useLookups();
  const [draft, setDraft] = useState('');
  const list = Array.isArray(value) ? (value as string[]) : typeof value === 'string' && value ? [value] : [];
  function add(tag: string) {
    const v = tag.trim();
    if (v && !list.includes(v)) onChange([...list, v]);
    setDraft('');
  }
  return (
    <div className="tags-input">
      {list.map((tag) => (
        <span className="chip" key={tag}>
          {tag}
          <button type="button" aria-label={t('widgets.removeTag', { tag })} onClick={() => onChange(list.filter((x) => x !== tag))}>
            ×
          </button>
        </span>
      ))}
      <input
        id={id}
        className="nodrag"
        list={`${id}-tags`}
        value={draft}
        placeholder={t('widgets.addTag')}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' || e.key === ',') {
            e.preventDefault();
            add(draft);
          }
        }}
        onBlur={() => draft && add(draft)}
      />
      <datalist id={`${id}-tags`}>
        {tags.map((tag) => (
          <option key={tag.name} value={tag.name} />
        ))}
      </datalist>
    </div>
  );
}

/** A single tag (string field with the `tags` hint). */
export function TagInput({ id, value, onChange }: { id: string; value: unknown; onChange: (v: string) => void }) {
  const { tags } = useLookups();
  return (
    <>
      <input id={id} className="nodrag" list={`${id}-tags`} value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.target.value)} />
      <datalist id={`${id}-tags`}>
        {tags.map((tag) => (
          <option key={tag.name} value={tag.name} />
        ))}
      </datalist>
    </>
  );
}

export function SegmentInput({ id, value, onChange, objectValued }: { id: string; value: unknown; onChange: (v: unknown) => void; objectValued: boolean }) {
  const { segments, tags } = useLookups();
  if (objectValued) {
    const cond = (value && typeof value === 'object' ? value : { type: 'and', conditions: [] }) as Condition;
    return <ConditionBuilder dialect="flow" value={cond} onChange={onChange} tags={tags.map((x) => x.name)} segments={segments} />;
  }
  return <SegmentSelect id={id} value={typeof value === 'string' ? value : ''} segments={segments} onChange={onChange} />;
}

export function UserInput({ id, value, onChange }: { id: string; value: unknown; onChange: (v: string) => void }) {
  const { t } = useTranslation();
  const { users } = useLookups();
  const v = typeof value === 'string' ? value : '';
  return (
    <select id={id} className="nodrag" value={v} onChange={(e) => onChange(e.target.value)}>
      <option value="">{t('widgets.owner')}</option>
      {users.map((u) => (
        <option key={u.id} value={u.id}>
          {u.name}
        </option>
      ))}
      {v && !users.some((u) => u.id === v) && <option value={v}>{v}</option>}
    </select>
  );
}

export function UsersInput({ id, value, onChange }: { id: string; value: unknown; onChange: (v: string[]) => void }) {
  const { users } = useLookups();
  const list = Array.isArray(value) ? (value as string[]) : [];
  return (
    <div className="users-input" id={id}>
      {users.map((u) => (
        <label key={u.id} className="checkbox-row">
          <input type="checkbox" className="nodrag" checked={list.includes(u.id)} onChange={(e) => onChange(e.target.checked ? [...list, u.id] : list.filter((x) => x !== u.id))} />
          {u.name}
        </label>
      ))}
    </div>
  );
}

/** A saved message template (Settings → Templates) by channel, name and language; "" = write the message here. */
export function MessageTemplateInput({ id, value, onChange }: { id: string; value: unknown; onChange: (v: string) => void }) {
  const { t } = useTranslation();
  const { templates } = useLookups();
  const v = typeof value === 'string' ? value : '';
  const list = [...templates].sort((a, b) => a.channel.localeCompare(b.channel) || a.name.localeCompare(b.name) || a.language.localeCompare(b.language));
  return (
    <select id={id} className="nodrag" value={v} onChange={(e) => onChange(e.target.value)}>
      <option value="">{t('widgets.noTemplate')}</option>
      {list.map((x) => (
        <option key={x.id} value={x.id}>
          {x.name} · {x.channel} · {x.language}
          {x.status === 'approved' ? '' : ` (${t(`settings.templates.statuses.${x.status}`, { defaultValue: x.status })})`}
        </option>
      ))}
      {v && !templates.some((x) => x.id === v) && <option value={v}>{v}</option>}
    </select>
  );
}

export function FlowInput({ id, value, onChange }: { id: string; value: unknown; onChange: (v: string) => void }) {
  const { t } = useTranslation();
  const { flows } = useLookups();
  const v = typeof value === 'string' ? value : '';
  return (
    <select id={id} className="nodrag" value={v} onChange={(e) => onChange(e.target.value)}>
      <option value="">{t('widgets.pickFlow')}</option>
      {flows.map((f) => (
        <option key={f.id} value={f.id}>
          {f.name}
        </option>
      ))}
      {v && !flows.some((f) => f.id === v) && <option value={v}>{v}</option>}
    </select>
  );
}
