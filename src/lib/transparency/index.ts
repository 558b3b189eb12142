/** The transparency domain's public door: pages and other domains import from here only (README.md). */
export * from './chart.ts';
export * from './export.ts';
export * from './glance.ts';
export * from './notes.ts';
export * from './report.ts';
export * from './statistics.ts';
