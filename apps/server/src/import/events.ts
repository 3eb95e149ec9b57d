/**
 * "Customers were imported": the batch event the flow engine subscribes to for its
 * "customer created or imported" trigger. Emitted after the import committed, and only when the
 * import was not a backfill (a backfill loads history without firing flows).
 */
import { EventEmitter } from 'node:events';

export interface CustomersImportedEvent {
  importId: string;
  /** Customers the import created. */
  createdIds: string[];
  /** Existing customers the import filled in or found conflicts on. */
  updatedIds: string[];
  at: Date;
}

export type CustomersImportedListener = (event: CustomersImportedEvent) => void | Promise<void>;

const emitter = new EventEmitter();
emitter.setMaxListeners(0);
const EVENT = 'customers.imported';

/** Subscribes; returns the function that unsubscribes. */
export function onCustomersImported(listener: CustomersImportedListener): () => void {
  const wrapped = (event: CustomersImportedEvent) => {
    Promise.resolve()
      .then(() => listener(event))
      .catch((err: unknown) => console.error('[import] customers.imported listener failed:', err));
  };
  emitter.on(EVENT, wrapped);
  return () => emitter.off(EVENT, wrapped);
}

export function emitCustomersImported(event: CustomersImportedEvent): void {
  emitter.emit(EVENT, event);
}
