import type { TFunction } from 'i18next';
// Renders a node's config form from its JSON Schema (through fieldsFromSchema) plus the manifest's
// widget hints. Problems from the validator are shown under the field they name.
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { FlowWarning, Problem } from '../api/schemas';
import { pickLabel } from '../i18n';
import { describeWarning, localizedDetail } from '../flows/problems';
import { durationUnitsOf, fieldsFromSchema, initialValue, problemPath, problemsForField, type FieldSpec, type JsonSchema } from './schemaModel';
import { ConditionBuilder, type Condition } from '../ui/ConditionBuilder';
import { useLookups } from './lookups';
import { CronInput, DurationInput, FlowInput, MessageTemplateInput, SegmentInput, TagInput, TagsInput, TemplateInput, TimezoneInput, UserInput, UsersInput } from './widgets';

type UiHints = Record<string, { widget: string; label?: Record<string, string> } & Record<string, unknown>>;

interface FormProps {
  schema: JsonSchema;
  ui?: UiHints;
  value: Record<string, unknown>;
  onChange: (next: Record<string, unknown>) => void;
  problems?: readonly Problem[];
  /** The validator's warnings (do not block publishing), shown under their field like problems. */
  warnings?: readonly FlowWarning[];
  idPrefix: string;
  readOnly?: boolean;
}

export function SchemaForm({ schema, ui = {}, value, onChange, problems = [], warnings = [], idPrefix, readOnly }: FormProps) {
  const fields = useMemo(() => fieldsFromSchema(schema, ui as never), [schema, ui]);
  return (
    <fieldset className="schema-form" disabled={readOnly}>
      {fields.map((f) => (
        <Field
          key={f.name}
          spec={f}
          path={f.name}
          ui={ui}
          root={schema}
          idPrefix={idPrefix}
          value={value[f.name]}
          problems={problems}
          warnings={warnings}
          onChange={(v) => {
            const next = { ...value };
            if (v === undefined) delete next[f.name];
            else next[f.name] = v;
            onChange(next);
          }}
        />
      ))}
    </fieldset>
  );
}

interface FieldProps {
  spec: FieldSpec;
  path: string;
  ui: UiHints;
  root: JsonSchema;
  idPrefix: string;
  value: unknown;
  onChange: (v: unknown) => void;
  problems: readonly Problem[];
  warnings?: readonly FlowWarning[];
}

function fieldTitle(spec: FieldSpec, ui: UiHints, lng: string, t: TFunction): string {
  const hint = ui[spec.path]?.label ?? ui[spec.name]?.label;
  if (hint) return pickLabel(hint, lng, spec.title);
  return t(`fields.${spec.name}`, { defaultValue: spec.title });
}

export function Field({ spec, path, ui, root, idPrefix, value, onChange, problems, warnings = [] }: FieldProps) {
  const { t, i18n } = useTranslation();
  const id = `${idPrefix}-${path.replace(/[^\w-]/g, '_')}`;
  // Object, list and variant fields draw their parts as fields of their own, each with its reasons;
  // a condition hands its inner problems to the condition builder; any other control shows them all.
  const inside = !['object', 'list', 'variant', 'condition'].includes(spec.kind);
  const fieldProblems = problemsForField(problems, path, inside);
  const fieldWarnings = problemsForField(warnings, path, inside);
  const title = fieldTitle(spec, ui, i18n.language, t);
  const label = (
    <label htmlFor={id} className="field-label">
      {title}
      {spec.required && <span className="required" aria-label={t('form.required')}> *</span>}
    </label>
  );
  let control: React.ReactNode;
  switch (spec.kind) {
    case 'text':
      control = <input id={id} className="nodrag" type={spec.format === 'date-time' ? 'datetime-local' : spec.format === 'date' ? 'date' : spec.format === 'email' ? 'email' : spec.format === 'uri' ? 'url' : 'text'} value={typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value)} maxLength={spec.maxLength} onChange={(e) => onChange(e.target.value === '' && !spec.required ? undefined : e.target.value)} />;
      break;
    case 'number':
    case 'integer':
      control = (
        <input
          id={id}
          className="nodrag num"
          type="number"
          min={spec.minimum}
          max={spec.maximum}
          step={spec.kind === 'integer' ? 1 : 'any'}
          value={typeof value === 'number' ? value : ''}
          onChange={(e) => onChange(e.target.value === '' ? undefined : spec.kind === 'integer' ? Math.round(Number(e.target.value)) : Number(e.target.value))}
        />
      );
      break;
    case 'boolean':
      control = (
        <input id={id} className="nodrag" type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />
      );
      break;
    case 'enum':
      control = (
        <select id={id} className="nodrag" value={value === undefined || value === null ? '' : String(value)} onChange={(e) => {
          const opt = spec.options.find((o) => String(o.value) === e.target.value);
          onChange(opt ? opt.value : undefined);
        }}>
          {!spec.required || value === undefined ? <option value="">{t('form.choose')}</option> : null}
          {spec.options.map((o) => (
            <option key={String(o.value)} value={String(o.value)}>
              {t(`enum.${String(o.value).replace(/\./g, '_')}`, { defaultValue: o.label })}
            </option>
          ))}
        </select>
      );
      break;
    case 'widget':
      switch (spec.widget) {
        case 'duration':
          control = <DurationInput id={id} value={value} onChange={onChange} units={durationUnitsOf(spec.schema)} />;
          break;
        case 'template':
          control = <TemplateInput id={id} value={value} onChange={onChange} multiline={!(spec.schema.maxLength !== undefined && spec.schema.maxLength <= 300)} />;
          break;
        case 'textarea':
          control = <textarea id={id} className="nodrag" rows={4} value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.target.value)} />;
          break;
        case 'cron':
          control = <CronInput id={id} value={value} onChange={onChange} />;
          break;
        case 'timezone':
          control = <TimezoneInput id={id} value={value} onChange={(v) => onChange(v || undefined)} />;
          break;
        case 'tags':
          control = spec.schema.type === 'array' ? <TagsInput id={id} value={value} onChange={onChange} /> : <TagInput id={id} value={value} onChange={onChange} />;
          break;
        case 'segment':
          control = <SegmentInput id={id} value={value} onChange={onChange} objectValued={spec.schema.type !== 'string'} />;
          break;
        case 'user':
          control = spec.schema.type === 'array' ? <UsersInput id={id} value={value} onChange={onChange} /> : <UserInput id={id} value={value} onChange={(v) => onChange(v || undefined)} />;
          break;
        case 'flow':
          control = <FlowInput id={id} value={value} onChange={(v) => onChange(v || undefined)} />;
          break;
        case 'message_template':
          control = <MessageTemplateInput id={id} value={value} onChange={onChange} />;
          break;
      }
      break;
    case 'stringList':
      control = <TagsInput id={id} value={value} onChange={onChange} />;
      break;
    case 'object': {
      const obj = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
      control = (
        <div className="nested">
          {spec.fields.map((f) => (
            <Field key={f.name} spec={f} path={`${path}.${f.name}`} ui={ui} root={root} idPrefix={idPrefix} value={obj[f.name]} problems={problems} warnings={warnings} onChange={(v) => {
              const next = { ...obj };
              if (v === undefined) delete next[f.name];
              else next[f.name] = v;
              onChange(next);
            }} />
          ))}
        </div>
      );
      break;
    }
    case 'list': {
      const items = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
      control = (
        <div className="list-field">
          {items.map((item, i) => (
            <div className="list-item" key={i}>
              {spec.itemFields.map((f) => (
                <Field key={f.name} spec={f} path={`${path}.${i}.${f.name}`} ui={ui} root={root} idPrefix={idPrefix} value={item?.[f.name]} problems={problems} warnings={warnings} onChange={(v) => {
                  const next = items.map((x, j) => (j === i ? { ...x, [f.name]: v } : x));
                  onChange(next);
                }} />
              ))}
              <button type="button" className="link danger" disabled={spec.minItems !== undefined && items.length <= spec.minItems} onClick={() => onChange(items.filter((_, j) => j !== i))}>
                {t('form.removeItem')}
              </button>
            </div>
          ))}
          <button type="button" className="secondary small" disabled={spec.maxItems !== undefined && items.length >= spec.maxItems} onClick={() => onChange([...items, initialValue(spec.item, root)])}>
            + {t('form.addItem')}
          </button>
        </div>
      );
      break;
    }
    case 'variant': {
      const obj = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
      const current = spec.variants.find((v) => v.value === obj[spec.discriminator]);
      const sub = current ? fieldsFromSchema(current.schema, ui as never, root, path).filter((f) => f.name !== spec.discriminator) : [];
      control = (
        <div className="nested">
          <select id={id} className="nodrag" value={current?.value ?? ''} onChange={(e) => {
            const v = spec.variants.find((x) => x.value === e.target.value);
            onChange(v ? (initialValue(v.schema, root) as Record<string, unknown>) : undefined);
          }}>
            {!current && <option value="">{t('form.choose')}</option>}
            {spec.variants.map((v) => (
              <option key={v.value} value={v.value}>
                {t(`enum.${v.value.replace(/\./g, '_')}`, { defaultValue: v.label })}
              </option>
            ))}
          </select>
          {sub.map((f) => (
            <Field key={f.name} spec={f} path={`${path}.${f.name}`} ui={ui} root={root} idPrefix={idPrefix} value={obj[f.name]} problems={problems} warnings={warnings} onChange={(v) => onChange({ ...obj, [f.name]: v })} />
          ))}
        </div>
      );
      break;
    }
    case 'condition': {
      const cond = (value && typeof value === 'object' ? value : { type: 'and', conditions: [] }) as Condition;
      const issues = problems.flatMap((p) => {
        const f = p.field ? problemPath(p.field) : '';
        return f.startsWith(`${path}.`) ? [{ path: f.slice(path.length + 1), text: localizedDetail(p, t) }] : [];
      });
      control = <ConditionField value={cond} onChange={onChange} issues={issues} />;
      break;
    }
    case 'json':
      control = <JsonField id={id} value={value} onChange={onChange} />;
      break;
  }
  return (
    <div className={`field field-${spec.kind}${fieldProblems.length ? ' invalid' : ''}`} data-field={path}>
      {spec.kind === 'boolean' ? (
        <div className="checkbox-row">
          {control}
          {label}
        </div>
      ) : (
        <>
          {label}
          {control}
        </>
      )}
      {spec.description && <p className="muted small">{spec.description}</p>}
      {fieldProblems.map((p, i) => (
        <p key={i} className="field-error" role="alert">
          {localizedDetail(p, t)}
        </p>
      ))}
      {fieldWarnings.map((w, i) => (
        <p key={`w${i}`} className="field-warning" role="status">
          ⚠ {describeWarning(w, t)}
        </p>
      ))}
    </div>
  );
}

function JsonField({ id, value, onChange }: { id: string; value: unknown; onChange: (v: unknown) => void }) {
  const { t } = useTranslation();
  const text = value === undefined ? '' : JSON.stringify(value, null, 2);
  return (
    <textarea
      id={id}
      className="nodrag mono"
      rows={4}
      defaultValue={text}
      title={t('form.json')}
      onBlur={(e) => {
        if (!e.target.value.trim()) return onChange(undefined);
        try {
          onChange(JSON.parse(e.target.value));
          e.target.setCustomValidity('');
        } catch {
          e.target.setCustomValidity(t('form.invalidJson'));
          e.target.reportValidity();
        }
      }}
    />
  );
}

function ConditionField({ value, onChange, issues }: { value: Condition; onChange: (c: Condition) => void; issues: { path: string; text: string }[] }) {
  const { tags, segments } = useLookups();
  return <ConditionBuilder dialect="flow" value={value} onChange={onChange} tags={tags.map((x) => x.name)} segments={segments} issues={issues} />;
}
