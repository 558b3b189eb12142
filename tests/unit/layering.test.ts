/**
 * The layers (issue 20): pages → src/lib → db. Nothing in db/ imports from src/, except the
 * encryption of secret columns (src/lib/secret-box.ts), which db/ needs to read and write them
 * and which is to move with the domain folders.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const ALLOWED = new Set(['src/lib/secret-box.ts']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'migrations' ? [] : sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('db/ stands below src/', () => {
  it('imports nothing from src/ but the secret box', () => {
    const files = sources(join(root, 'db'));
    expect(files.length).toBeGreaterThan(10);
    const wrong: string[] = [];
    for (const file of files) {
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
        if (!spec!.startsWith('.')) continue;
        const target = relative(root, resolve(file, '..', spec!));
        if (target.startsWith('src/') && !ALLOWED.has(target)) wrong.push(`${relative(root, file)} → ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
