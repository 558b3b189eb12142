/**
 * Case lookup by reference through the unique index `cases_reference`. Used by the scale
 * benchmark (bench/run.ts) until db/cases.ts (branch `cases`) is on main; then the benchmark
 * should call findCaseByReference from there instead.
 */
import { eq } from 'drizzle-orm';
import type { Db } from './client.ts';
import { cases } from './schema.ts';

export function findCaseIdByReference(db: Db, reference: string): { id: number; reference: string } | undefined {
  return db.select({ id: cases.id, reference: cases.reference }).from(cases).where(eq(cases.reference, reference)).get();
}
