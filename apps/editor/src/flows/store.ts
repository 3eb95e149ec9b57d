// The canvas store (zustand, as the React Flow docs advise). It holds React Flow's nodes and
// edges for the canvas, and a history of *graph* snapshots for undo/redo: selection, dragging
// frames, badges and run overlays never enter the history or the saved draft.
import { addEdge, applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange } from '@xyflow/react';
import { create } from 'zustand';
import type { FlowGraph, FlowWarning, ManifestNode, NodeCounts, Problem } from '../api/schemas';
import { copySelection, pasteClipboard } from './clipboard';
import { checkConnection } from './connection';
import { edgeId, graphToReactFlow, newNodeId, reactFlowToGraph, sameGraph, type NudgeEdge, type NudgeNode } from './graph';
import { tidyUp } from './layout';

const HISTORY_LIMIT = 100;

export interface StepOverlay {
  status: string;
  startedAt?: string | number | null;
  finishedAt?: string | number | null;
  error?: string;
}

export interface FlowState {
  nodes: NudgeNode[];
  edges: NudgeEdge[];
  /** Last committed graph: what autosave writes and what undo returns from. */
  present: FlowGraph;
  past: FlowGraph[];
  future: FlowGraph[];
  /** Increments on every committed graph change (drives autosave). */
  revision: number;
  lastCommitTag: string | null;
  lastCommitAt: number;
  manifest: Map<string, ManifestNode>;
  problems: Problem[];
  /** The same problems by node id, so each node card reads its own in O(1). */
  problemsByNode: Map<string, Problem[]>;
  /** The validator's warnings: shown beside the problems, never blocking a publish. */
  warnings: FlowWarning[];
  clipboard: FlowGraph | null;
  readOnly: boolean;
  /** Test-run path or a run's steps, by node id. View state only. */
  overlay: Map<string, StepOverlay>;
  pathEdgeIds: Set<string>;
  counts: NodeCounts;
  /** A field to focus once its node's config panel shows (a click on a checklist item). View state only. */
  focusRequest: { nodeId: string; field: string | null } | null;

  setManifest(nodes: ManifestNode[]): void;
  load(graph: FlowGraph, options?: { readOnly?: boolean }): void;
  onNodesChange(changes: NodeChange<NudgeNode>[]): void;
  onEdgesChange(changes: EdgeChange<NudgeEdge>[]): void;
  onConnect(connection: Connection): void;
  isValidConnection(connection: Connection | NudgeEdge): boolean;
  addNode(nodeType: string, position: { x: number; y: number }): string;
  updateConfig(nodeId: string, config: Record<string, unknown>): void;
  updateLabel(nodeId: string, label: string): void;
  selectNode(nodeId: string | null): void;
  /** Selects the node and asks its config panel to focus `field` (a problem's config path). */
  focusField(nodeId: string, field?: string | null): void;
  clearFocusRequest(): void;
  deleteSelection(): void;
  copy(): void;
  paste(): void;
  undo(): void;
  redo(): void;
  tidy(): void;
  /** Puts a whole graph (e.g. a published version) in the draft, as one undoable step. */
  replaceGraph(graph: FlowGraph): void;
  setProblems(problems: Problem[], warnings?: FlowWarning[]): void;
  setOverlay(overlay: Map<string, StepOverlay>, pathEdgeIds?: Set<string>): void;
  setCounts(counts: NodeCounts): void;
}

function commit(state: FlowState, nodes: NudgeNode[], edges: NudgeEdge[], tag: string | null = null): Partial<FlowState> {
  const graph = reactFlowToGraph(nodes, edges);
  if (sameGraph(graph, state.present)) return { nodes, edges };
  const now = Date.now();
  // Typing in one field of one node coalesces into one undo step.
  const coalesce = tag !== null && tag === state.lastCommitTag && now - state.lastCommitAt < 1500;
  const past = coalesce ? state.past : [...state.past, state.present].slice(-HISTORY_LIMIT);
  return { nodes, edges, present: graph, past, future: [], revision: state.revision + 1, lastCommitTag: tag, lastCommitAt: now };
}

function restore(graph: FlowGraph): { nodes: NudgeNode[]; edges: NudgeEdge[] } {
  return graphToReactFlow(graph);
}

export const emptyGraph: FlowGraph = { nodes: [], edges: [] };

export const createFlowStore = () =>
  create<FlowState>()((set, get) => ({
    nodes: [],
    edges: [],
    present: emptyGraph,
    past: [],
    future: [],
    revision: 0,
    lastCommitTag: null,
    lastCommitAt: 0,
    manifest: new Map(),
    problems: [],
    problemsByNode: new Map(),
    warnings: [],
    clipboard: null,
    readOnly: false,
    overlay: new Map(),
    pathEdgeIds: new Set(),
    counts: {},
    focusRequest: null,

    setManifest: (nodes) => set({ manifest: new Map(nodes.map((n) => [n.key, n])) }),

    load: (graph, options) => {
      const { nodes, edges } = graphToReactFlow(graph);
      set({
        nodes, edges, present: reactFlowToGraph(nodes, edges), past: [], future: [], revision: 0,
        readOnly: options?.readOnly ?? false, problems: [], problemsByNode: new Map(), warnings: [], overlay: new Map(), pathEdgeIds: new Set(), counts: {},
        lastCommitTag: null, focusRequest: null,
      });
    },

    onNodesChange: (changes) => {
      const state = get();
      const relevant = state.readOnly ? changes.filter((c) => c.type === 'select' || c.type === 'dimensions') : changes;
      const nodes = applyNodeChanges(relevant, state.nodes);
      // Commit only when a drag ends or a node is removed: dragging frames are view state.
      const commits = relevant.some((c) => c.type === 'remove' || (c.type === 'position' && c.dragging === false) || c.type === 'add');
      if (!commits) return set({ nodes });
      const removed = new Set(relevant.filter((c) => c.type === 'remove').map((c) => c.id));
      const edges = removed.size ? state.edges.filter((e) => !removed.has(e.source) && !removed.has(e.target)) : state.edges;
      set(commit(state, nodes, edges));
    },

    onEdgesChange: (changes) => {
      const state = get();
      const relevant = state.readOnly ? changes.filter((c) => c.type === 'select') : changes;
      const edges = applyEdgeChanges(relevant, state.edges);
      if (relevant.some((c) => c.type === 'remove' || c.type === 'add')) set(commit(state, state.nodes, edges));
      else set({ edges });
    },

    onConnect: (connection) => {
      const state = get();
      if (state.readOnly || !get().isValidConnection(connection)) return;
      const sourceHandle = connection.sourceHandle ?? 'next';
      const edges = addEdge(
        { ...connection, sourceHandle, targetHandle: connection.targetHandle ?? 'in', id: edgeId(connection.source, sourceHandle, connection.target) },
        state.edges,
      );
      set(commit(state, state.nodes, edges));
    },

    isValidConnection: (connection) => {
      const state = get();
      return checkConnection({ source: connection.source, target: connection.target, sourceHandle: connection.sourceHandle ?? null, targetHandle: connection.targetHandle ?? null }, state.nodes, state.edges, state.manifest) === null;
    },

    addNode: (nodeType, position) => {
      const state = get();
      const def = state.manifest.get(nodeType);
      const id = newNodeId(state.nodes);
      const node: NudgeNode = {
        id, type: 'nudge', position: { x: Math.round(position.x), y: Math.round(position.y) },
        data: { nodeType, config: structuredClone(def?.defaults ?? {}) }, selected: true,
      };
      const nodes = [...state.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node];
      set(commit(state, nodes, state.edges));
      return id;
    },

    updateConfig: (nodeId, config) => {
      const state = get();
      if (state.readOnly) return;
      const nodes = state.nodes.map((n) => (n.id === nodeId ? { ...n, data: { ...n.data, config } } : n));
      set(commit(state, nodes, state.edges, `config:${nodeId}`));
    },

    updateLabel: (nodeId, label) => {
      const state = get();
      if (state.readOnly) return;
      const nodes = state.nodes.map((n) => {
        if (n.id !== nodeId) return n;
        const data = { ...n.data };
        if (label.trim()) data.label = label;
        else delete data.label;
        return { ...n, data };
      });
      set(commit(state, nodes, state.edges, `label:${nodeId}`));
    },

    selectNode: (nodeId) =>
      set((state) => ({
        nodes: state.nodes.map((n) => {
          const selected = n.id === nodeId;
          return n.selected === selected ? n : { ...n, selected };
        }),
        edges: state.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
      })),

    focusField: (nodeId, field) => {
      get().selectNode(nodeId);
      set({ focusRequest: { nodeId, field: field ?? null } });
    },
    clearFocusRequest: () => set({ focusRequest: null }),

    deleteSelection: () => {
      const state = get();
      if (state.readOnly) return;
      const removed = new Set(state.nodes.filter((n) => n.selected).map((n) => n.id));
      const nodes = state.nodes.filter((n) => !removed.has(n.id));
      const edges = state.edges.filter((e) => !e.selected && !removed.has(e.source) && !removed.has(e.target));
      set(commit(state, nodes, edges));
    },

    copy: () => {
      const state = get();
      const selected = new Set(state.nodes.filter((n) => n.selected).map((n) => n.id));
      if (selected.size) set({ clipboard: copySelection(state.present, selected) });
    },

    paste: () => {
      const state = get();
      if (state.readOnly || !state.clipboard) return;
      const pasted = pasteClipboard(state.clipboard, new Set(state.nodes.map((n) => n.id)));
      const rf = graphToReactFlow(pasted);
      const nodes = [...state.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...rf.nodes.map((n) => ({ ...n, selected: true }))];
      set({ ...commit(state, nodes, [...state.edges, ...rf.edges]), clipboard: { nodes: pasted.nodes, edges: pasted.edges } });
    },

    undo: () => {
      const state = get();
      const previous = state.past[state.past.length - 1];
      if (!previous || state.readOnly) return;
      set({ ...restore(previous), present: previous, past: state.past.slice(0, -1), future: [state.present, ...state.future], revision: state.revision + 1, lastCommitTag: null });
    },

    redo: () => {
      const state = get();
      const next = state.future[0];
      if (!next || state.readOnly) return;
      set({ ...restore(next), present: next, past: [...state.past, state.present], future: state.future.slice(1), revision: state.revision + 1, lastCommitTag: null });
    },

    tidy: () => {
      const state = get();
      if (state.readOnly) return;
      const sizes = new Map(state.nodes.filter((n) => n.measured?.width).map((n) => [n.id, { width: n.measured!.width!, height: n.measured!.height! }]));
      const laid = tidyUp(state.present, { sizes });
      const pos = new Map(laid.nodes.map((n) => [n.id, n.position]));
      const nodes = state.nodes.map((n) => ({ ...n, position: pos.get(n.id) ?? n.position }));
      set(commit(state, nodes, state.edges));
    },

    replaceGraph: (graph) => {
      const state = get();
      if (state.readOnly) return;
      const { nodes, edges } = graphToReactFlow(graph);
      set(commit(state, nodes, edges));
    },

    setProblems: (problems, warnings = []) => {
      const problemsByNode = new Map<string, Problem[]>();
      for (const p of problems) if (p.nodeId) problemsByNode.set(p.nodeId, [...(problemsByNode.get(p.nodeId) ?? []), p]);
      set({ problems, problemsByNode, warnings });
    },
    setOverlay: (overlay, pathEdgeIds = new Set()) => set({ overlay, pathEdgeIds }),
    setCounts: (counts) => set({ counts }),
  }));

export const useFlowStore = createFlowStore();
export type FlowStore = ReturnType<typeof createFlowStore>;
