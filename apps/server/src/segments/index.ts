/**
 * Segments for the rest of the server (the flow engine's conditions and segment-entry sweeps):
 *   customerInSegment(db, segmentIdOrTree, customerId)  → boolean
 *   countSegment(db, segmentIdOrTree, { now, user })     → number
 *   segmentMemberIds(db, segmentIdOrTree, { after, limit }) → ids, keyset-paged
 *   SegmentCondition (zod schema + type), compileSegment (tree → SQL WHERE over customers)
 */
export { SegmentCondition, SegmentDefinition, FIELD_OPS, DATE_FIELDS } from './model.js';
export { compileSegment, SegmentError, SEGMENT_FIELDS, type SegmentIssue } from './compile.js';
export {
  countSegment,
  customerInSegment,
  segmentMemberIds,
  segmentWhere,
  segmentCountSql,
  loadSegmentTree,
  parseSegmentTree,
  type SegmentRef,
} from './service.js';
export { createSegmentsRouter } from './router.js';
