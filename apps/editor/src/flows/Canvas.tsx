// The React Flow canvas over the store in context. Used editable (FlowEditor) and read-only
// (run view): the store's readOnly flag decides what it accepts.
import {
  Background, ControlButton, Controls, MiniMap, ReactFlow, useNodesInitialized, useReactFlow, useStoreApi, type Connection, type Edge, type IsValidConnection, type OnConnectEnd,
} from '@xyflow/react';
import { Maximize } from 'lucide-react';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useFlow, useFlowApi } from './context';
import type { NudgeNode } from './graph';
import { nodeTypes } from './NodeCard';
import { DRAG_MIME } from './Palette';
import { checkConnection } from './connection';
import { readableViewport } from './viewport';

/**
 * Fits the view (on load, after tidy-up, the fit-view button) without zooming out below the size at
 * which card text stays readable: a large flow is then shown from its start and pans.
 */
export function useReadableFit(): (duration?: number) => void {
  const rf = useReactFlow();
  const flowStore = useStoreApi();
  return useCallback(
    (duration = 0) => {
      const nodes = rf.getNodes();
      const { width, height } = flowStore.getState();
      if (nodes.length === 0 || !width || !height) return;
      void rf.setViewport(readableViewport(rf.getNodesBounds(nodes), width, height), { duration });
    },
    [rf, flowStore],
  );
}

const kindColours: Record<string, string> = { trigger: '#f59e0b', condition: '#8b5cf6', action: '#2563eb', control: '#0d9488' };

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

export function Canvas({ onSelectionChange }: { onSelectionChange?: (nodeId: string | null) => void }) {
  const { t } = useTranslation();
  const store = useFlowApi();
  const nodes = useFlow((s) => s.nodes);
  const rawEdges = useFlow((s) => s.edges);
  const pathEdgeIds = useFlow((s) => s.pathEdgeIds);
  const readOnly = useFlow((s) => s.readOnly);
  const manifest = useFlow((s) => s.manifest);
  const onNodesChange = useFlow((s) => s.onNodesChange);
  const onEdgesChange = useFlow((s) => s.onEdgesChange);
  const onConnect = useFlow((s) => s.onConnect);
  const rf = useReactFlow();
  // Fit the view to a loaded graph once; an empty canvas keeps its viewport so the first node
  // dropped stays where it was dropped.
  const [fitOnInit] = useState(() => store.getState().nodes.length > 0);
  const fit = useReadableFit();
  const measured = useNodesInitialized();
  const fitted = useRef(false);
  useEffect(() => {
    if (!fitOnInit || !measured || fitted.current) return;
    fitted.current = true;
    fit();
  }, [fitOnInit, measured, fit]);

  const edges = useMemo(
    () => (pathEdgeIds.size === 0 ? rawEdges : rawEdges.map((e) => (pathEdgeIds.has(e.id) ? { ...e, animated: true, className: 'on-path' } : { ...e, className: 'off-path' }))),
    [rawEdges, pathEdgeIds],
  );

  // Say why a connection was refused (the handle already turned red while dragging).
  const [refusal, setRefusal] = useState<string | null>(null);
  useEffect(() => {
    if (!refusal) return;
    const h = setTimeout(() => setRefusal(null), 3500);
    return () => clearTimeout(h);
  }, [refusal]);
  const onConnectEnd: OnConnectEnd = useCallback(
    (event, state) => {
      if (state.isValid || !state.fromNode || !state.fromHandle) return;
      const el = (event.target as Element | null)?.closest?.('.react-flow__node');
      const toId = state.toNode?.id ?? el?.getAttribute('data-id');
      if (!toId) return;
      const s = store.getState();
      const reason = checkConnection({ source: state.fromNode.id, sourceHandle: state.fromHandle.id ?? 'next', target: toId, targetHandle: 'in' }, s.nodes, s.edges, s.manifest);
      if (reason) setRefusal(t(`connection.${reason}`));
    },
    [store, t],
  );

  const isValidConnection: IsValidConnection = useCallback((c: Connection | Edge) => store.getState().isValidConnection(c as Connection), [store]);

  const onDragOver = useCallback((e: DragEvent) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
  }, []);
  const onDrop = useCallback(
    (e: DragEvent) => {
      e.preventDefault();
      const key = e.dataTransfer.getData(DRAG_MIME) || e.dataTransfer.getData('text/plain');
      if (!key || readOnly || !store.getState().manifest.has(key)) return;
      const pos = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      store.getState().addNode(key, { x: pos.x - 120, y: pos.y - 30 });
    },
    [rf, readOnly, store],
  );

  const selectedId = useFlow((s) => {
    const sel = s.nodes.filter((n) => n.selected);
    return sel.length === 1 ? sel[0]!.id : null;
  });
  useEffect(() => onSelectionChange?.(selectedId), [selectedId, onSelectionChange]);

  // Keyboard: undo/redo and copy/paste (Delete/Backspace are React Flow's own deleteKeyCode).
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (isTyping(e.target)) return;
      const mod = e.ctrlKey || e.metaKey;
      if (!mod) return;
      const k = e.key.toLowerCase();
      const s = store.getState();
      if (k === 'z' && !e.shiftKey) s.undo();
      else if (k === 'y' || (k === 'z' && e.shiftKey)) s.redo();
      else if (k === 'c') s.copy();
      else if (k === 'v') s.paste();
      else if (k === 'a') {
        s.onNodesChange(s.nodes.map((n) => ({ id: n.id, type: 'select', selected: true })));
      } else return;
      e.preventDefault();
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);

  return (
    <div className="canvas" onDragOver={onDragOver} onDrop={onDrop} data-testid="canvas">
      <ReactFlow<NudgeNode, Edge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        edgesReconnectable={false}
        deleteKeyCode={readOnly ? null : ['Delete', 'Backspace']}
        minZoom={0.1}
        maxZoom={2}
        onlyRenderVisibleElements
        defaultEdgeOptions={{ type: 'smoothstep' }}
        proOptions={{ hideAttribution: true }}
        ariaLabelConfig={{ 'controls.ariaLabel': t('canvas.controls'), 'minimap.ariaLabel': t('canvas.minimap') }}
      >
        <Background gap={16} />
        <MiniMap pannable zoomable nodeColor={(n) => kindColours[manifest.get((n.data as { nodeType: string }).nodeType)?.kind ?? ''] ?? '#94a3b8'} />
        <Controls showInteractive={false} showFitView={false}>
          <ControlButton className="react-flow__controls-fitview" onClick={() => fit(300)} title={t('canvas.fitView')} aria-label={t('canvas.fitView')}>
            <Maximize aria-hidden />
          </ControlButton>
        </Controls>
      </ReactFlow>
      {refusal && (
        <div className="canvas-refusal" role="status" data-testid="connection-refused">
          {refusal}
        </div>
      )}
      {nodes.length === 0 && !readOnly && (
        <div className="canvas-empty">
          <p>{t('canvas.empty')}</p>
        </div>
      )}
    </div>
  );
}
