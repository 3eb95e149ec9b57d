/**
 * Statements built once per database handle: drizzle's query builders make the SQL text, and the
 * list of every column of an insert, each time a query runs (for a `customers` insert ~0.3 ms of
 * the main thread and a good share of its allocations); a prepared query (`.prepare()`) keeps the
 * text and the result mapping and only fills its placeholders. `preparedOnce(db, name, build)`
 * builds it the first time that name is asked of that handle (a transaction's handle is another
 * handle: use it only with `db.db`), then returns the same one.
 *
 * For statements whose shape depends on the input (which columns an insert sets), put the shape in
 * the name (`customers.insert:email,fullName,…`); the cache of one handle keeps at most
 * `MAX_PER_HANDLE` shapes (the oldest dropped first), so no input can make it grow without bound.
 */
const MAX_PER_HANDLE = 256;
const byHandle = new WeakMap<object, Map<string, unknown>>();

export function preparedOnce<T>(db: object, name: string, build: () => T): T {
  let cache = byHandle.get(db);
  if (!cache) byHandle.set(db, (cache = new Map()));
  let q = cache.get(name) as T | undefined;
  if (q === undefined) {
    q = build();
    if (cache.size >= MAX_PER_HANDLE) cache.delete(cache.keys().next().value!);
    cache.set(name, q);
  }
  return q;
}

/** For tests: how many statements a handle holds. */
export const preparedCount = (db: object): number => byHandle.get(db)?.size ?? 0;
