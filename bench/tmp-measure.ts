import { parseConfig } from '../src/lib/config.ts';
import { createRuntime } from '../src/lib/runtime.ts';
import { seedScale } from './seed.ts';
import { buildReport, countsFromRows, countsFromTallies, periodsFor } from '../src/lib/transparency.ts';
const dir = process.argv[2]!; const n = Number(process.argv[3]);
const parsed = parseConfig({ DATA_DIR: dir }); if (!parsed.ok) throw new Error(parsed.error);
let t = performance.now();
const rt = createRuntime(parsed.config);
console.log('open+migrate ms', performance.now() - t);
const c = (rt.db.$client.prepare('select count(*) n from cases').get() as any).n;
if (c === 0) { const { ms } = seedScale(rt.db, n); console.log('seed', ms); }
for (const view of ['month', 'quarter'] as const) for (let i = 0; i < 2; i++) { const t = performance.now(); buildReport(rt, { view, range: 'last-12-months' }); console.log(view, 'buildReport ms', performance.now() - t); }
const months = periodsFor('month', 'last-12-months', new Date());
t = performance.now(); const a = countsFromRows(rt, months); console.log('rows ms', performance.now() - t);
t = performance.now(); const b = countsFromTallies(rt, months); console.log('tallies ms', performance.now() - t);
const j = (x: any) => JSON.stringify(Object.fromEntries(Object.entries(x).map(([k, v]: any) => [k, [...v].map(([p, m]: any) => [p, [...m].sort()]).sort()])));
console.log('equal', j(a) === j(b));
