/**
 * The audit log is append-only in code: only db/audit.ts touches the table, and it has no update
 * or delete. This scans the source so a later change that adds one fails here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listAudit, recordAudit } from '../../db/audit.ts';
import { transaction } from '../../db/transactions.ts';
import { testRuntime } from '../support/db.ts';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'migrations' ? [] : sourceFiles(path);
    return /\.(ts|astro|mjs)$/.test(name) ? [path] : [];
  });
}

describe('audit log', () => {
  it('is touched only by db/audit.ts, which neither updates nor deletes', () => {
    const users = [...sourceFiles('src'), ...sourceFiles('db'), ...sourceFiles('scripts')].filter((f) =>
      /\bauditLog\b|\baudit_log\b/.test(readFileSync(f, 'utf8')),
    );
    expect(users.sort()).toEqual(['db/audit.ts', 'db/schema/pg/staff.ts', 'db/schema/sqlite/staff.ts']);
    const code = readFileSync('db/audit.ts', 'utf8');
    expect(code).not.toMatch(/\.(update|delete)\(/);
    expect(code).not.toMatch(/\b(UPDATE|DELETE)\b/);
  });

  it("is written inside the caller's transaction: a rolled-back change leaves no entry", async () => {
    const fixed = new Date(Date.UTC(2026, 2, 1, 9, 0, 0));
    const rt = await testRuntime({ now: () => fixed });
    await expect(
      transaction(rt.db, async (tx) => {
        await recordAudit(tx, {
          actorId: null,
          action: 'test.rolled-back',
          entityType: 'test',
          entityId: '1',
          ip: null,
        });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await transaction(rt.db, (tx) =>
      recordAudit(tx, {
        actorId: null,
        action: 'test.kept',
        entityType: 'test',
        entityId: '2',
        ip: '192.0.2.1',
        details: { a: 1 },
      }),
    );
    const entries = await listAudit(rt.db, { action: 'test.*' });
    expect(entries).toEqual([
      expect.objectContaining({
        action: 'test.kept',
        at: fixed,
        entityId: '2',
        ip: '192.0.2.1',
        details: { a: 1 },
        actorName: null,
      }),
    ]);
  });
});
