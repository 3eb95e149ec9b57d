// Lists the form widgets pick from (tags, saved segments, users, flows), loaded once per session
// and shared. A list that fails to load stays empty: the widget still accepts typed values.
import { useEffect } from 'react';
import { z } from 'zod';
import { create } from 'zustand';
import { api } from '../api/client';

const named = z.object({ id: z.union([z.string(), z.number()]).transform(String), name: z.string() }).loose();
const listOf = <T extends z.ZodType>(item: T) =>
  z.union([
    z.array(item),
    z.object({ items: z.array(item) }).transform((v) => v.items),
    z.object({ tags: z.array(item) }).transform((v) => v.tags),
    z.object({ segments: z.array(item) }).transform((v) => v.segments),
    z.object({ users: z.array(item) }).transform((v) => v.users),
    z.object({ flows: z.array(item) }).transform((v) => v.flows),
  ]);
/** Saved message templates (Settings → Templates) as the send step's picker shows them. */
const messageTemplate = z.object({ id: z.string(), name: z.string(), channel: z.string(), language: z.string(), status: z.string() }).loose();
export type MessageTemplateChoice = z.infer<typeof messageTemplate>;

type Named = z.infer<typeof named>;
interface Lookups {
  loaded: boolean;
  tags: Named[];
  segments: Named[];
  users: Named[];
  flows: Named[];
  templates: MessageTemplateChoice[];
}

const useLookupStore = create<Lookups>()(() => ({ loaded: false, tags: [], segments: [], users: [], flows: [], templates: [] }));
let loading = false;

async function loadAll() {
  if (loading) return;
  loading = true;
  const get = (path: string) => api.get(path, listOf(named)).catch(() => [] as Named[]);
  const [tags, segments, users, flows, templates] = await Promise.all([
    get('/tags'),
    get('/segments'),
    get('/users/directory'),
    get('/flows'),
    api.get('/message-templates', z.array(messageTemplate)).catch(() => [] as MessageTemplateChoice[]),
  ]);
  useLookupStore.setState({ loaded: true, tags, segments, users, flows, templates });
  loading = false;
}

export function refreshLookups(): void {
  void loadAll();
}

export function useLookups(): Lookups {
  const state = useLookupStore();
  useEffect(() => {
    if (!state.loaded) void loadAll();
  }, [state.loaded]);
  return state;
}
