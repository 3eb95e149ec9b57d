// Flow endpoints, typed.
import { z } from 'zod';
import { api } from '../api/client';
import {
  enrollPreview, flowDetail, flowList, manifest, nodeCounts, problems, runDetail, runList, testRunResult, versionDetail, versionList,
  type EnrollChoice, type FlowGraph, type Manifest,
} from '../api/schemas';

let manifestPromise: Promise<Manifest> | null = null;
export function loadManifest(): Promise<Manifest> {
  manifestPromise ??= api.get('/nodes', manifest).catch((e: unknown) => {
    manifestPromise = null;
    throw e;
  });
  return manifestPromise;
}

export const flowsApi = {
  list: (signal?: AbortSignal) => api.get('/flows', flowList, undefined, signal),
  get: (id: string, signal?: AbortSignal) => api.get(`/flows/${id}`, flowDetail, undefined, signal),
  create: (name: string) => api.post('/flows', flowDetail, { name, graph: { nodes: [], edges: [] } }),
  saveDraft: (id: string, graph: FlowGraph) => api.put(`/flows/${id}`, z.unknown(), { graph }),
  rename: (id: string, name: string) => api.put(`/flows/${id}`, z.unknown(), { name }),
  validate: (id: string) => api.post(`/flows/${id}/validate`, problems),
  publish: (id: string, note: string, enroll?: EnrollChoice) => api.post(`/flows/${id}/publish`, z.unknown(), { note, ...(enroll ? { enroll } : {}) }),
  enrollPreview: (id: string, action: 'publish' | 'resume', signal?: AbortSignal) => api.get(`/flows/${id}/enroll-preview`, enrollPreview, { action }, signal),
  versions: (id: string, signal?: AbortSignal) => api.get(`/flows/${id}/versions`, versionList, undefined, signal),
  version: (id: string, version: number) => api.get(`/flows/${id}/versions/${version}`, versionDetail),
  lifecycle: (id: string, action: 'pause' | 'resume' | 'archive', enroll?: EnrollChoice) =>
    api.post(`/flows/${id}/${action}`, z.unknown(), enroll ? { enroll } : undefined),
  testRun: (id: string, customerId: string) => api.post(`/flows/${id}/test-run`, testRunResult, { customerId }),
  runs: (id: string, query: { status?: string; customerId?: string; from?: string; to?: string; page?: number; pageSize?: number; test?: string }, signal?: AbortSignal) =>
    api.get(`/flows/${id}/runs`, runList, query, signal),
  allRuns: (query: { customerId?: string; status?: string; page?: number; pageSize?: number }, signal?: AbortSignal) => api.get('/runs', runList, query, signal),
  nodeCounts: (id: string, signal?: AbortSignal) => api.get(`/flows/${id}/node-counts`, nodeCounts, undefined, signal),
  run: (runId: string, signal?: AbortSignal) => api.get(`/runs/${runId}`, runDetail, undefined, signal),
  cancelRun: (runId: string) => api.post(`/runs/${runId}/cancel`, z.unknown()),
  retryStep: (runId: string, stepId: string) => api.post(`/runs/${runId}/steps/${stepId}/retry`, z.unknown()),
};
