/** The audit domain's public door: pages and other domains import from here only (README.md). */
export * from './audit.ts';
