// ESLint (flat config): typescript-eslint and eslint-plugin-astro recommended, plus the layers of
// src/lib/README.md as import rules. Prettier owns formatting (eslint-config-prettier turns off
// the rules that would fight it). Choices: docs/decisions/028-lint-and-format.md.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import astro from 'eslint-plugin-astro';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** A domain's files other than its index.ts, named from outside src/lib (pages, scripts…). */
const DEEP_FROM_OUTSIDE = {
  regex: String.raw`(^|/)lib/[^/]+/(?!index\.ts$).+`,
  message: 'Import a domain only through its index.ts (src/lib/README.md).',
};
/** The same, named from src/lib's top level (runtime.ts, health.ts). */
const DEEP_FROM_LIB = { regex: String.raw`^\./[^/]+/(?!index\.ts$).+`, message: DEEP_FROM_OUTSIDE.message };
/** Another domain's files other than its index.ts, or the composition root, named from inside a domain. */
const deepFromDomain = (up) => ({
  regex: String.raw`^${up}(?!\.\./)[^/]+/(?!index\.ts$).+`,
  message: 'Import another domain only through its index.ts (src/lib/README.md).',
});
const OWN_INDEX = (up) => ({
  regex: String.raw`^${up}index(\.ts)?$`,
  message: 'Inside a domain, import its siblings directly, never its own index.ts.',
});
const ABOVE_DOMAINS = (up) => ({
  regex: String.raw`^${up}\.\./(runtime|health)(\.ts)?$`,
  message: 'A domain never imports the composition root (src/lib/runtime.ts) or health.ts.',
});
const NO_ASTRO = {
  regex: String.raw`^astro($|[:/])|\.astro$`,
  message: 'Nothing under src/lib or db imports Astro: pages call plain functions.',
};
const NO_SRC = { regex: String.raw`^(\.\./)+src/`, message: 'db/ imports nothing from src/.' };

const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default defineConfig(
  globalIgnores(['dist/', '.astro/', 'db/migrations/', 'data/', 'test-results/', 'playwright-report/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  astro.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['public/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },

  // The layers (tests/unit/layering.test.ts checks the same from the file system).
  {
    // The data layer is asynchronous (docs/decisions/031-asynchronous-data-layer.md): a promise
    // left without await runs out of order or outside its transaction, so these need the types.
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },

  { files: ['src/**', 'scripts/**'], rules: restrict(DEEP_FROM_OUTSIDE) },
  { files: ['src/lib/*.ts'], rules: restrict(DEEP_FROM_LIB) },
  {
    files: ['src/lib/*/*'],
    rules: restrict(deepFromDomain(String.raw`\.\./`), OWN_INDEX(String.raw`\./`), ABOVE_DOMAINS(''), NO_ASTRO),
  },
  {
    files: ['src/lib/*/*/**'],
    rules: restrict(
      deepFromDomain(String.raw`\.\./\.\./`),
      OWN_INDEX(String.raw`\.\./`),
      ABOVE_DOMAINS(String.raw`\.\./`),
      NO_ASTRO,
    ),
  },
  { files: ['db/**'], rules: restrict(NO_ASTRO, NO_SRC) },

  // Configuration comes only through src/lib/platform/config.ts (which says so where it reads).
  // scripts/ run in production too; tests/, bench/ and the tools' config files set up test runs.
  {
    files: ['src/**', 'db/**', 'scripts/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through src/lib/platform/config.ts.' },
      ],
    },
  },

  prettier,
);
