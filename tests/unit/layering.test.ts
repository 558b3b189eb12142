/**
 * The layers (issue 20): pages → src/lib → db. Nothing in db/ imports from src/, except leaf
 * modules there: pure helpers that import nothing of the project themselves (today the
 * encryption of secret columns, src/lib/secret-box.ts, and HTML escaping, src/lib/html.ts),
 * which are to move with the domain folders.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'migrations' ? [] : sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function relativeImports(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!).filter((spec) => spec.startsWith('.'));
}

describe('db/ stands below src/', () => {
  it('imports nothing from src/ but leaf modules', () => {
    const files = sources(join(root, 'db'));
    expect(files.length).toBeGreaterThan(10);
    const wrong: string[] = [];
    for (const file of files) {
      for (const spec of relativeImports(file)) {
        const target = relative(root, resolve(file, '..', spec));
        if (target.startsWith('src/') && relativeImports(join(root, target)).length > 0) wrong.push(`${relative(root, file)} → ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('the sign-in shortcut for browser tests', () => {
  it('is called from no route, page, server module or script', () => {
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) return entry.name === 'migrations' ? [] : walk(path);
        return /\.(ts|mjs|astro)$/.test(entry.name) ? [path] : [];
      });
    const files = ['src', 'scripts', 'db'].flatMap((dir) => walk(join(root, dir)));
    expect(files.length).toBeGreaterThan(50);
    const callers = files.filter((f) => relative(root, f) !== 'src/lib/sessions.ts' && readFileSync(f, 'utf8').includes('startSessionWithoutSignIn'));
    expect(callers).toEqual([]);
  });
});
