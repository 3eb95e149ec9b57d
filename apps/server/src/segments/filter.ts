import type { SQL } from 'drizzle-orm';
import type { AppContext } from '../context.js';
import { segmentWhere } from './service.js';

/** For the customers list: `?segmentId=` as a WHERE condition over `customers`. */
export function segmentCondition(ctx: AppContext, segmentId: string, now: Date): Promise<SQL> {
  return segmentWhere(ctx.db, segmentId, { now, path: 'query.segmentId' });
}
