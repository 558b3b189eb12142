import { parseConfig } from '../src/lib/config.ts';
import { createRuntime } from '../src/lib/runtime.ts';
import { queueStatements } from '../db/review.ts';
const parsed = parseConfig({ DATA_DIR: '/tmp/perf/plan' }); if (!parsed.ok) throw 1;
const rt = createRuntime(parsed.config);
const { items } = queueStatements(rt.db, { status: null, assignee: null, dueBefore: new Date(), limit: 25, offset: 0 });
const { sql, params } = items.toSQL(); console.log(sql);
console.log(rt.db.$client.prepare('explain query plan ' + sql).all(...params));
