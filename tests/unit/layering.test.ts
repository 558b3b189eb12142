/**
 * The layers (issue 20, src/lib/README.md): pages and scripts → src/lib's domains → db. A domain is
 * entered only through its index.ts; platform sits below every domain; the domains form no cycle;
 * nothing in db/ imports from src/; nothing below the pages imports Astro.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const lib = join(root, 'src/lib');
const DOMAINS = readdirSync(lib, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return ['migrations', 'data'].includes(entry.name) ? [] : sources(path);
    return /\.(ts|mjs|astro)$/.test(entry.name) ? [path] : [];
  });
}

/** Every module specifier a file names: static imports and re-exports, bare imports, import(). */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = [
    ...text.matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s+['"]([^'"]+)['"]/gm),
    ...text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm),
    ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ];
  return found.map((m) => m[1]!);
}

/** The project files a file imports, relative to the root. */
function localImports(file: string): string[] {
  return specifiers(file)
    .filter((s) => s.startsWith('.'))
    .map((s) => relative(root, resolve(dirname(file), s)));
}

function domainOf(path: string): string | null {
  const m = /^src\/lib\/([^/]+)\//.exec(path);
  return m && DOMAINS.includes(m[1]!) ? m[1]! : null;
}

type Edge = { from: string; target: string };

/** Imports that enter another domain other than through its index.ts, or a domain's own index.ts. */
function doorViolations(list: Edge[]): string[] {
  return list
    .filter((e) => {
      const to = domainOf(e.target);
      if (!to) return false;
      const isIndex = e.target === `src/lib/${to}/index.ts`;
      return domainOf(e.from) === to ? isIndex : !isIndex;
    })
    .map((e) => `${e.from} → ${e.target}`);
}

const files = [...sources(join(root, 'src')), ...sources(join(root, 'db')), ...sources(join(root, 'scripts'))];
const edges: Edge[] = files.flatMap((file) =>
  localImports(file).map((target) => ({ from: relative(root, file), target })),
);

describe('the layers', () => {
  it('finds the code and its domains', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(DOMAINS).toEqual(expect.arrayContaining(['appeals', 'review', 'platform', 'staff']));
  });

  it('db/ imports nothing from src/', () => {
    const wrong = edges.filter((e) => e.from.startsWith('db/') && e.target.startsWith('src/'));
    expect(wrong).toEqual([]);
  });

  it('enters a domain only through its index.ts, and never through its own', () => {
    expect(doorViolations(edges)).toEqual([]);
  });

  it('keeps platform below every domain, and the domains free of cycles', () => {
    const graph = new Map<string, Set<string>>(DOMAINS.map((d) => [d, new Set()]));
    for (const e of edges) {
      const from = domainOf(e.from);
      const to = domainOf(e.target);
      if (from && to && from !== to) graph.get(from)!.add(to);
    }
    expect([...graph.get('platform')!]).toEqual([]);
    const cycles: string[] = [];
    const visit = (d: string, path: string[]): void => {
      if (path.includes(d)) {
        cycles.push([...path.slice(path.indexOf(d)), d].join(' → '));
        return;
      }
      for (const next of graph.get(d)!) visit(next, [...path, d]);
    };
    for (const d of DOMAINS) visit(d, []);
    expect(cycles).toEqual([]);
  });

  it('imports nothing of Astro below the pages', () => {
    const below = files.filter((f) => /^(src\/lib|db)\//.test(relative(root, f)));
    const wrong = below.filter((f) => specifiers(f).some((s) => s.startsWith('astro') || s.endsWith('.astro')));
    expect(wrong.map((f) => relative(root, f))).toEqual([]);
  });

  it('catches a page reaching past an index, and a domain importing its own index', () => {
    const bad = [
      { from: 'src/pages/x.astro', target: 'src/lib/appeals/appeals.ts' },
      { from: 'src/lib/review/review.ts', target: 'src/lib/appeals/state.ts' },
      { from: 'src/lib/appeals/steps.ts', target: 'src/lib/appeals/index.ts' },
    ];
    const good = [
      { from: 'src/pages/x.astro', target: 'src/lib/appeals/index.ts' },
      { from: 'src/lib/appeals/steps.ts', target: 'src/lib/appeals/state.ts' },
    ];
    expect(doorViolations([...bad, ...good])).toHaveLength(bad.length);
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
    const callers = files.filter(
      (f) =>
        relative(root, f) !== 'src/lib/staff/sessions.ts' &&
        readFileSync(f, 'utf8').includes('startSessionWithoutSignIn'),
    );
    expect(callers).toEqual([]);
  });
});
