/**
 * Compiles Temporal's list filter language (`WorkflowType = 'x' AND ExecutionStatus = 'Running'`)
 * into a parameterised SQL condition over temporal_lite.executions.
 * Supported: = != <> < > <= >=, IN / NOT IN, STARTS_WITH, BETWEEN … AND …, IS [NOT] NULL,
 * AND / OR / parentheses, ORDER BY (StartTime/CloseTime only; the default is StartTime DESC).
 */
import { invalidArgument } from './errors.js';

const STATUS: Record<string, number> = {
  running: 1, completed: 2, failed: 3, canceled: 4, cancelled: 4, terminated: 5, continuedasnew: 6, timedout: 7,
};

const COLUMNS: Record<string, { col: string; kind: 'text' | 'num' | 'time' | 'status' }> = {
  workflowid: { col: 'workflow_id', kind: 'text' },
  runid: { col: 'run_id', kind: 'text' },
  workflowtype: { col: 'workflow_type', kind: 'text' },
  taskqueue: { col: 'task_queue', kind: 'text' },
  executionstatus: { col: 'status', kind: 'status' },
  starttime: { col: 'start_time', kind: 'time' },
  executiontime: { col: 'execution_time', kind: 'time' },
  closetime: { col: 'close_time', kind: 'time' },
  historylength: { col: 'history_length', kind: 'num' },
};

type Tok = { t: 'id' | 'str' | 'num' | 'op' | 'lp' | 'rp' | 'comma'; v: string };

function tokenize(q: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === '(') { out.push({ t: 'lp', v: c }); i++; continue; }
    if (c === ')') { out.push({ t: 'rp', v: c }); i++; continue; }
    if (c === ',') { out.push({ t: 'comma', v: c }); i++; continue; }
    if (c === "'" || c === '"') {
      let j = i + 1; let s = '';
      while (j < q.length && q[j] !== c) { if (q[j] === '\\' && j + 1 < q.length) j++; s += q[j]; j++; }
      if (j >= q.length) throw invalidArgument(`invalid query: unterminated string starting at position ${i}`);
      out.push({ t: 'str', v: s }); i = j + 1; continue;
    }
    const op = /^(<=|>=|!=|<>|=|<|>)/.exec(q.slice(i));
    if (op) { out.push({ t: 'op', v: op[1]! }); i += op[1]!.length; continue; }
    const num = /^-?\d+(\.\d+)?/.exec(q.slice(i));
    if (num) { out.push({ t: 'num', v: num[0] }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(q.slice(i));
    if (id) { out.push({ t: 'id', v: id[0] }); i += id[0].length; continue; }
    const bq = /^`([^`]+)`/.exec(q.slice(i));
    if (bq) { out.push({ t: 'id', v: bq[1]! }); i += bq[0].length; continue; }
    throw invalidArgument(`invalid query: unexpected character '${c}' at position ${i}`);
  }
  return out;
}

export interface CompiledQuery {
  where: string;
  params: unknown[];
  order: 'start_time DESC' | 'start_time ASC' | 'close_time DESC' | 'close_time ASC';
  /** `GROUP BY ExecutionStatus` (CountWorkflowExecutions only) */
  groupBy?: 'ExecutionStatus';
}

/**
 * `known` says which names are search attributes (system or registered); an unknown one is refused
 * with INVALID_ARGUMENT like the real server does. Without it every name is accepted.
 */
export function compileListQuery(namespace: string, query: string | undefined, known?: (name: string) => boolean): CompiledQuery {
  const params: unknown[] = [namespace];
  const toks = tokenize(query ?? '');
  let pos = 0;
  const peek = () => toks[pos];
  const kw = (w: string) => peek()?.t === 'id' && peek()!.v.toUpperCase() === w;
  const next = () => {
    const t = toks[pos++];
    if (!t) throw invalidArgument('invalid query: unexpected end of query');
    return t;
  };
  const param = (v: unknown) => { params.push(v); return `$${params.length}`; };

  function value(): string | number {
    const t = next();
    if (t.t === 'str') return t.v;
    if (t.t === 'num') return Number(t.v);
    if (t.t === 'id' && /^(true|false)$/i.test(t.v)) return t.v.toLowerCase() === 'true' ? 1 : 0;
    throw invalidArgument(`invalid query: expected a value, found '${t.v}'`);
  }

  function operand(field: string, v: string | number): { sql: string; kind: string } {
    const col = COLUMNS[field.toLowerCase()];
    if (!col) return { sql: '', kind: 'custom' };
    if (col.kind === 'status') {
      const n = typeof v === 'number' ? v : STATUS[String(v).toLowerCase().replace(/[^a-z]/g, '')];
      if (n === undefined) throw invalidArgument(`invalid query: unknown ExecutionStatus '${v}'`);
      return { sql: param(n), kind: 'num' };
    }
    if (col.kind === 'time') {
      const ms = typeof v === 'number' ? v : Date.parse(String(v));
      if (Number.isNaN(ms)) throw invalidArgument(`invalid query: '${v}' is not a date for ${field}`);
      return { sql: `${param(ms)}::float8`, kind: 'num' };
    }
    if (col.kind === 'num') return { sql: `${param(Number(v))}::float8`, kind: 'num' };
    return { sql: param(String(v)), kind: 'text' };
  }

  function comparison(): string {
    const f = next();
    if (f.t !== 'id') throw invalidArgument(`invalid query: expected a field name, found '${f.v}'`);
    const field = f.v;
    const col = COLUMNS[field.toLowerCase()];
    if (!col && known && !known(field)) throw invalidArgument(`invalid query: unable to convert filter expression: unable to convert left side of "${field}": column name '${field}' is not a valid search attribute`);
    let saKey: string | undefined;
    const key = () => (saKey ??= param(field));
    const saText = () => `(search_attributes->>${key()}::text)`;
    const saJson = () => `(search_attributes->${key()}::text)`;
    const lhs = col ? col.col : saText();
    if (kw('IS')) {
      next();
      const not = kw('NOT') ? (next(), true) : false;
      if (!kw('NULL')) throw invalidArgument('invalid query: expected NULL after IS');
      next();
      return `${lhs} IS ${not ? 'NOT ' : ''}NULL`;
    }
    let negate = false;
    if (kw('NOT')) { next(); negate = true; }
    if (kw('IN')) {
      next();
      if (next().t !== 'lp') throw invalidArgument('invalid query: expected ( after IN');
      const items: string[] = [];
      for (;;) {
        const v = value();
        items.push(col ? `${lhs} = ${operand(field, v).sql}` : `${saJson()} @> ${param(JSON.stringify(v))}::jsonb`);
        const t = next();
        if (t.t === 'rp') break;
        if (t.t !== 'comma') throw invalidArgument(`invalid query: expected , or ) in IN list, found '${t.v}'`);
      }
      return `${negate ? 'NOT ' : ''}(${items.join(' OR ')})`;
    }
    if (kw('STARTS_WITH')) {
      next();
      const v = String(value()).replace(/[\\%_]/g, (m) => `\\${m}`);
      return `${negate ? 'NOT ' : ''}(${lhs} LIKE ${param(`${v}%`)})`;
    }
    if (kw('BETWEEN')) {
      next();
      const a = value();
      if (!kw('AND')) throw invalidArgument('invalid query: expected AND in BETWEEN');
      next();
      const b = value();
      if (col) return `${negate ? 'NOT ' : ''}(${lhs} BETWEEN ${operand(field, a).sql} AND ${operand(field, b).sql})`;
      return `${negate ? 'NOT ' : ''}((${saText()})::numeric BETWEEN ${param(a)}::numeric AND ${param(b)}::numeric)`;
    }
    if (negate) throw invalidArgument('invalid query: NOT is only supported as NOT IN / NOT BETWEEN / NOT STARTS_WITH');
    const op = next();
    if (op.t !== 'op') throw invalidArgument(`invalid query: expected an operator after ${field}, found '${op.v}'`);
    const v = value();
    const sqlOp = op.v === '<>' ? '!=' : op.v;
    if (col) return `${lhs} ${sqlOp} ${operand(field, v).sql}`;
    if (sqlOp === '=') return `${saJson()} @> ${param(JSON.stringify(v))}::jsonb`;
    if (sqlOp === '!=') return `NOT coalesce(${saJson()} @> ${param(JSON.stringify(v))}::jsonb, false)`;
    if (typeof v === 'number') return `(${saText()})::numeric ${sqlOp} ${param(v)}::numeric`;
    return `${saText()} ${sqlOp} ${param(v)}`;
  }

  function primary(): string {
    if (peek()?.t === 'lp') {
      next();
      const e = orExpr();
      if (next().t !== 'rp') throw invalidArgument('invalid query: expected )');
      return `(${e})`;
    }
    return comparison();
  }
  function andExpr(): string {
    const parts = [primary()];
    while (kw('AND')) { next(); parts.push(primary()); }
    return parts.join(' AND ');
  }
  function orExpr(): string {
    const parts = [andExpr()];
    while (kw('OR')) { next(); parts.push(andExpr()); }
    return parts.length > 1 ? `(${parts.join(' OR ')})` : parts[0]!;
  }

  let where = 'namespace = $1';
  let order: CompiledQuery['order'] = 'start_time DESC';
  let groupBy: CompiledQuery['groupBy'];
  if (toks.length && !kw('ORDER') && !kw('GROUP')) where += ` AND (${orExpr()})`;
  if (kw('GROUP')) {
    next();
    if (!kw('BY')) throw invalidArgument('invalid query: expected BY after GROUP');
    next();
    const f = next().v;
    if (f.toLowerCase() !== 'executionstatus') throw invalidArgument(`invalid query: 'GROUP BY' clause is only supported for ExecutionStatus, not ${f}`);
    groupBy = 'ExecutionStatus';
  }
  if (kw('ORDER')) {
    next();
    if (!kw('BY')) throw invalidArgument('invalid query: expected BY after ORDER');
    next();
    const f = next().v.toLowerCase();
    const dir = kw('ASC') ? (next(), 'ASC') : kw('DESC') ? (next(), 'DESC') : 'DESC';
    if (f !== 'starttime' && f !== 'closetime') throw invalidArgument(`invalid query: ORDER BY ${f} is not supported (use StartTime or CloseTime)`);
    order = `${f === 'starttime' ? 'start_time' : 'close_time'} ${dir}` as CompiledQuery['order'];
  }
  if (pos < toks.length) throw invalidArgument(`invalid query: unexpected '${toks[pos]!.v}'`);
  return { where, params, order, groupBy };
}
