/**
 * A statement's query plan in a form both engines share, for the tests that prove a query is
 * served by an index (tests/unit/*-plans.test.ts and others): which table each step reads and
 * how (a scan of the whole table, an index and which, or the primary key), the index range's
 * bounds, and whether rows are sorted. SQLite's comes from EXPLAIN QUERY PLAN, PostgreSQL's from
 * EXPLAIN (FORMAT JSON). `detail` keeps the engine's own words for what only one engine shows.
 */
import type { Db } from '../client.ts';
import { poolOf } from '../postgres.ts';
import { isPostgres } from './index.ts';

export interface PlanRead {
  table: string;
  /** 'scan': the whole table; 'index': through the index named; 'primary key': by its key. */
  access: 'scan' | 'index' | 'primary key';
  /** The index read, for access 'index' (null otherwise). */
  index: string | null;
  /** The index alone answers (SQLite's COVERING INDEX, PostgreSQL's Index Only Scan). */
  covering: boolean;
  /**
   * What bounds the index range, as `column` and `=`, `<` or `>`: ['status=', 'due_at<']. Both
   * engines' words are brought to these: `is null` is `=`, `<=` is `<` and `>=` is `>` (SQLite
   * shows them so). An indexed expression is `<expr>`. Empty for a read of the whole index.
   */
  keys: string[];
}

export interface QueryPlan {
  reads: PlanRead[];
  /**
   * The rows read are sorted before the first is returned (SQLite's TEMP B-TREE, PostgreSQL's
   * Sort). PostgreSQL's Incremental Sort is not one: it takes the rows in the order an index
   * gives (say by due date) and sorts only each run of equal leading keys by the rest (the id),
   * so a LIMIT still stops the read after the page; SQLite needs none there, its index entries
   * already ending in the rowid. It shows in `detail`.
   */
  sorted: boolean;
  /**
   * PostgreSQL: the planner's estimate of how many rows the largest sort takes in (null where
   * nothing is sorted, and always on SQLite, which gives no estimates). With real statistics it
   * tells a sort of a few open appeals from a sort of the whole table.
   */
  sortedRows: number | null;
  /** The engine's own lines, one per step. */
  detail: string[];
}

/** A drizzle builder, or a statement's text with no parameters. */
export type Explainable = { toSQL(): { sql: string; params: unknown[] } } | string;

export interface PlanOptions {
  /**
   * PostgreSQL: price sequential scans out (the default, for tiny test tables; see postgresPlan).
   * false: the planner's own choice, for tables with realistic statistics (a seeded million rows
   * and ANALYZE, tests/unit/queue-plans.test.ts). SQLite's planner ignores table sizes here.
   */
  priceOutScans?: boolean;
}

export async function queryPlan(db: Db, query: Explainable, options: PlanOptions = {}): Promise<QueryPlan> {
  const { sql, params } = typeof query === 'string' ? { sql: query, params: [] } : query.toSQL();
  return isPostgres(db) ? postgresPlan(db, sql, params, options.priceOutScans ?? true) : sqlitePlan(db, sql, params);
}

function sqlitePlan(db: Db, sql: string, params: unknown[]): QueryPlan {
  const detail = (db.$client.prepare(`explain query plan ${sql}`).all(...params) as { detail: string }[]).map(
    (r) => r.detail,
  );
  const reads: PlanRead[] = [];
  for (const line of detail) {
    const step = /^(?:SCAN|SEARCH) (\S+)(?: AS \S+)?(.*)$/.exec(line);
    if (!step || step[1] === 'CONSTANT') continue;
    const rest = step[2]!;
    const index = /USING (COVERING )?INDEX (\S+)/.exec(rest);
    const primary = /USING (?:INTEGER )?PRIMARY KEY/.test(rest);
    // An automatic index is one SQLite builds for the statement by reading the whole table.
    const automatic = /AUTOMATIC/.test(rest);
    const bounds = /\((.*)\)/.exec(rest)?.[1];
    reads.push({
      table: step[1]!,
      access: primary ? 'primary key' : index && !automatic ? 'index' : 'scan',
      index: index && !automatic && !primary ? index[2]! : null,
      covering: !!index?.[1],
      // The tables' INTEGER PRIMARY KEY `id` is SQLite's rowid.
      keys: bounds
        ? bounds.split(' AND ').map((b) => b.replace(/^(.+?)(=|<|>)\?$/, '$1$2').replace(/^rowid=$/, 'id='))
        : [],
    });
  }
  return { reads, sorted: detail.some((d) => /TEMP B-TREE/.test(d)), sortedRows: null, detail };
}

interface PgNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Plan Rows'?: number;
  Plans?: PgNode[];
}

/**
 * On tiny test tables PostgreSQL's planner rightly prefers reading the whole table, so to prove
 * an index CAN serve the statement it is explained with sequential scans priced out
 * (`set local enable_seqscan = off`, in a transaction rolled back at once): a plan that still
 * scans the table has no index to use.
 */
async function postgresPlan(db: Db, sql: string, params: unknown[], priceOutScans: boolean): Promise<QueryPlan> {
  const client = await poolOf(db).connect();
  let root: PgNode;
  try {
    await client.query('begin');
    if (priceOutScans) await client.query('set local enable_seqscan = off');
    const result = await client.query<{ 'QUERY PLAN': [{ Plan: PgNode }] }>(`explain (format json) ${sql}`, params);
    root = result.rows[0]!['QUERY PLAN'][0].Plan;
  } finally {
    await client.query('rollback').catch(() => undefined);
    client.release();
  }
  const plan: QueryPlan = { reads: [], sorted: false, sortedRows: null, detail: [] };
  walk(root, undefined, plan);
  return plan;
}

function walk(node: PgNode, heapTable: string | undefined, plan: QueryPlan): void {
  const type = node['Node Type'];
  const table = node['Relation Name'] ?? heapTable;
  plan.detail.push(
    [type, node['Relation Name'], node['Index Name'] && `using ${node['Index Name']}`, node['Index Cond']]
      .filter(Boolean)
      .join(' '),
  );
  if (type === 'Sort') {
    plan.sorted = true;
    const input = node.Plans?.[0]?.['Plan Rows'] ?? node['Plan Rows'] ?? 0;
    plan.sortedRows = Math.max(plan.sortedRows ?? 0, input);
  }
  if (type === 'Seq Scan' && table) plan.reads.push({ table, access: 'scan', index: null, covering: false, keys: [] });
  const index = node['Index Name'];
  if (index && table && /Index (Only )?Scan$/.test(type)) {
    plan.reads.push({
      table,
      access: index.endsWith('_pkey') ? 'primary key' : 'index',
      index: index.endsWith('_pkey') ? null : index,
      covering: type === 'Index Only Scan',
      keys: conditionKeys(node['Index Cond']),
    });
  }
  // A bitmap heap scan names its table; the bitmap index scans under it name the indexes.
  const under = type === 'Bitmap Heap Scan' ? table : heapTable;
  for (const child of node.Plans ?? []) walk(child, under, plan);
}

/** "((status = 'new'::text) AND (due_at <= '5'::bigint))" → ['status=', 'due_at<']. */
function conditionKeys(cond: string | undefined): string[] {
  if (!cond) return [];
  const inner = cond.replace(/^\((.*)\)$/, '$1');
  return inner.split(/\) AND \(/).map((part) => {
    const term = part.replace(/^\(+/, '').replace(/ IS NULL\)?$/, ' = NULL');
    const column = /^"?([a-z_]+)"?\s*(=|<|>)/.exec(term);
    if (column) return `${column[1]}${column[2]}`;
    const expression = /^.+?\)\s*(=|<|>)/.exec(term);
    return expression ? `<expr>${expression[1]}` : term;
  });
}
