/** The cases domain's public door: pages and other domains import from here only (README.md). */
export * from './cases.ts';
export * from './filters.ts';
export * from './notice.ts';
export * from './references.ts';
