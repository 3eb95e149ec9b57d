// Each canvas (editor, run view) gets its own store instance through context: one component
// tree, several independent graphs.
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import { useFlowStore, type FlowState, type FlowStore } from './store';

export const FlowStoreContext = createContext<FlowStore>(useFlowStore);

export function useFlow<T>(selector: (state: FlowState) => T): T {
  return useStore(useContext(FlowStoreContext), selector);
}
export function useFlowApi(): FlowStore {
  return useContext(FlowStoreContext);
}
