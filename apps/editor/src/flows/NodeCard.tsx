// The one generic node card: everything it shows comes from the manifest entry of its type and
// from view state in the store (problems, run overlay, live counts) — never from saved data.
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { Check, Hourglass, Play, X } from 'lucide-react';
import { memo, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Problem } from '../api/schemas';
import { pickLabel } from '../i18n';
import { formatNumber } from '../i18n/format';
import { useFlow } from './context';
import type { NudgeNode } from './graph';
import { NodeIcon } from './icons';
import { outputPorts } from './ports';
import { localizedDetail } from './problems';
import { nodeSummary } from './summary';
import { useLookups } from '../form/lookups';

const PORT_SPACING = 24;
const noProblems: Problem[] = [];

const byId = (items: readonly { id: string; name: string }[]) => new Map(items.map((x) => [x.id, x.name]));

/** The one-line summary of a node's settings, with segment, user and flow names from the loaded lists. */
function useSummary(nodeType: string, config: Record<string, unknown>): string | null {
  const { t, i18n } = useTranslation();
  const { segments, users, flows } = useLookups();
  const names = useMemo(() => ({ segments: byId(segments), users: byId(users), flows: byId(flows) }), [segments, users, flows]);
  return useMemo(() => nodeSummary(nodeType, config, { t, lng: i18n.language, ...names }), [nodeType, config, t, i18n.language, names]);
}

function NodeCardImpl({ id, data, selected }: NodeProps<NudgeNode>) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const def = useFlow((s) => s.manifest.get(data.nodeType));
  const problems = useFlow((s) => s.problemsByNode.get(id)) ?? noProblems;
  const overlay = useFlow((s) => s.overlay.get(id));
  const onPath = useFlow((s) => s.overlay.size > 0);
  const count = useFlow((s) => s.counts[id]);
  const ports = outputPorts(def, data.config);
  const missingPorts = new Set(problems.filter((p) => p.code === 'port.unconnected' && p.port).map((p) => p.port));
  const title = data.label || (def ? pickLabel(def.label, lng, data.nodeType) : data.nodeType);
  const typeLabel = def ? pickLabel(def.label, lng) : t('canvas.unknownNode');
  const kind = def?.kind ?? 'unknown';
  const classes = ['node-card', `kind-${kind}`];
  if (selected) classes.push('selected');
  if (problems.length) classes.push('has-problems');
  if (overlay) classes.push(`step-${overlay.status}`);
  else if (onPath) classes.push('off-path');
  const summary = useSummary(data.nodeType, data.config);
  // the summary takes one or two lines; the output ports sit below it
  const summaryRef = useRef<HTMLDivElement>(null);
  const [summaryHeight, setSummaryHeight] = useState(0);
  useLayoutEffect(() => setSummaryHeight(summary ? (summaryRef.current?.offsetHeight ?? 0) + 4 : 0), [summary]);
  const portsTop = 36 + summaryHeight;
  const bodyHeight = Math.max(56 + summaryHeight, portsTop + ports.length * PORT_SPACING);

  return (
    <div className={classes.join(' ')} style={{ minHeight: bodyHeight }} data-testid={`node-${id}`} data-node-type={data.nodeType}>
      {def?.inputs.length !== 0 && kind !== 'trigger' && <Handle type="target" position={Position.Left} id="in" className="port port-in" />}
      <div className="node-head">
        <span className="node-icon" aria-hidden>
          <NodeIcon icon={def?.icon} kind={def?.kind} />
        </span>
        <div className="node-titles">
          <div className="node-title" title={title}>
            {title}
          </div>
          <div className="node-kind">
            {t(`kinds.${kind}`, { defaultValue: kind })}
            {data.label ? ` · ${typeLabel}` : ''}
          </div>
        </div>
        {problems.length > 0 && (
          <span className="badge badge-error" title={problems.map((p) => localizedDetail(p, t)).join('\n')} aria-label={t('canvas.problemCount', { count: problems.length })}>
            {problems.length}
          </span>
        )}
      </div>
      {summary && (
        <div className="node-summary" title={summary} data-testid="node-summary" ref={summaryRef}>
          {summary}
        </div>
      )}
      {overlay && (
        <div className="node-overlay">
          {t(`status.${overlay.status}`, { defaultValue: overlay.status })}
          {overlay.error ? <div className="node-error">{overlay.error}</div> : null}
        </div>
      )}
      {count && (count.waiting || count.running || count.failed || count.done) ? (
        <div className="node-counts" aria-label={t('canvas.liveCounts')}>
          {count.waiting ? <span className="count count-waiting" title={t('status.waiting')}><Hourglass size={10} aria-hidden /> {formatNumber(count.waiting, lng)}</span> : null}
          {count.running ? <span className="count count-running" title={t('status.running')}><Play size={10} aria-hidden /> {formatNumber(count.running, lng)}</span> : null}
          {count.done ? <span className="count count-done" title={t('status.done')}><Check size={10} aria-hidden /> {formatNumber(count.done, lng)}</span> : null}
          {count.failed ? <span className="count count-failed" title={t('status.failed')}><X size={10} aria-hidden /> {formatNumber(count.failed, lng)}</span> : null}
        </div>
      ) : null}
      <div className="node-ports">
        {ports.map((p, i) => (
          <div className="port-row" key={p.id} style={{ top: portsTop + i * PORT_SPACING }}>
            <span className={`port-label${missingPorts.has(p.id) ? ' port-missing' : ''}`}>{typeof p.label === 'string' ? p.label : pickLabel(p.label, lng, ports.length > 1 ? p.id : '')}</span>
            <Handle type="source" position={Position.Right} id={p.id} className="port port-out" data-port={p.id} style={{ top: 10 }} />
          </div>
        ))}
      </div>
    </div>
  );
}

export const NodeCard = memo(NodeCardImpl);
export const nodeTypes = { nudge: NodeCard };
