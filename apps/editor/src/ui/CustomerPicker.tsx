// Find a customer by name, company, e-mail or phone and pick one; answers its id.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CustomerListOut, type CustomerOut } from '@nudge/contracts';
import { api } from '../api/client';


export function CustomerPicker({ value, onChange, label }: { value: string; onChange: (id: string, name: string) => void; label: string }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<CustomerOut[]>([]);
  useEffect(() => {
    if (!open || !q.trim()) return setItems([]);
    const ctrl = new AbortController();
    const h = setTimeout(() => {
      api.get('/customers', CustomerListOut, { q: q.trim(), pageSize: 8 }, ctrl.signal).then((r) => setItems(r.items)).catch(() => undefined);
    }, 250);
    return () => {
      clearTimeout(h);
      ctrl.abort();
    };
  }, [q, open]);
  return (
    <div className="customer-picker">
      <input
        type="search"
        aria-label={label}
        placeholder={t('customers.search')}
        value={q}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onChange={(e) => {
          setQ(e.target.value);
          if (!e.target.value && value) onChange('', '');
        }}
      />
      {open && items.length > 0 && (
        <ul className="picker-list" role="listbox">
          {items.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                role="option"
                aria-selected={c.id === value}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => {
                  setQ(c.fullName);
                  setOpen(false);
                  onChange(c.id, c.fullName);
                }}
              >
                {c.fullName} {c.company ? <span className="muted small">{c.company}</span> : null}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
