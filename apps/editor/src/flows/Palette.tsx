// The node palette, built from the manifest: search in any language, grouped by category,
// drag a node onto the canvas (or press Enter / click "add" to drop it in the middle).
import { useMemo, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ManifestCategory, ManifestNode } from '../api/schemas';
import { pickLabel } from '../i18n';
import { NodeIcon } from './icons';

export const DRAG_MIME = 'application/x-nudge-node';
const kindOrder = ['trigger', 'condition', 'action', 'control'];

export function filterPalette(nodes: readonly ManifestNode[], query: string): ManifestNode[] {
  const q = query.trim().toLocaleLowerCase();
  if (!q) return [...nodes];
  return nodes.filter((n) =>
    [n.key, n.category, ...Object.values(n.label), ...Object.values(n.description ?? {})].some((s) => s.toLocaleLowerCase().includes(q)),
  );
}

export function groupPalette(nodes: readonly ManifestNode[], categories: readonly ManifestCategory[] = []): { category: string; kind: string; nodes: ManifestNode[] }[] {
  const groups = new Map<string, { category: string; kind: string; nodes: ManifestNode[] }>();
  for (const n of nodes) {
    const g = groups.get(n.category) ?? { category: n.category, kind: n.kind, nodes: [] };
    g.nodes.push(n);
    groups.set(n.category, g);
  }
  // The manifest's category order first; categories it does not list go after, by kind.
  const rank = (c: string) => {
    const i = categories.findIndex((x) => x.id === c);
    return i === -1 ? categories.length : i;
  };
  return [...groups.values()].sort((a, b) => rank(a.category) - rank(b.category) || kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) || a.category.localeCompare(b.category));
}

export function Palette({ nodes, categories = [], onAdd, disabled }: { nodes: readonly ManifestNode[]; categories?: readonly ManifestCategory[]; onAdd: (key: string) => void; disabled?: boolean }) {
  const { t, i18n } = useTranslation();
  const [query, setQuery] = useState('');
  const groups = useMemo(() => groupPalette(filterPalette(nodes, query), categories), [nodes, query, categories]);

  function onDragStart(e: DragEvent, key: string) {
    e.dataTransfer.setData(DRAG_MIME, key);
    e.dataTransfer.setData('text/plain', key);
    e.dataTransfer.effectAllowed = 'move';
  }

  return (
    <aside className="palette" aria-label={t('palette.title')}>
      <input
        type="search"
        className="palette-search"
        placeholder={t('palette.search')}
        aria-label={t('palette.search')}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <div className="palette-groups">
        {groups.length === 0 && <p className="muted small">{t('palette.noMatch')}</p>}
        {groups.map((g) => (
          <section key={g.category} className="palette-group">
            <h4>{pickLabel(categories.find((c) => c.id === g.category)?.label, i18n.language, t(`categories.${g.category}`, { defaultValue: g.category }))}</h4>
            {g.nodes.map((n) => (
              <div
                key={n.key}
                className={`palette-item kind-${n.kind}`}
                draggable={!disabled}
                onDragStart={(e) => onDragStart(e, n.key)}
                data-node-key={n.key}
                title={pickLabel(n.description, i18n.language)}
                role="button"
                tabIndex={0}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && !disabled) onAdd(n.key);
                }}
                onDoubleClick={() => !disabled && onAdd(n.key)}
              >
                <span className="node-icon" aria-hidden>
                  <NodeIcon icon={n.icon} kind={n.kind} />
                </span>
                <span className="palette-label">{pickLabel(n.label, i18n.language, n.key)}</span>
              </div>
            ))}
          </section>
        ))}
      </div>
      <p className="muted small palette-hint">{t('palette.hint')}</p>
    </aside>
  );
}
