/** The feedback domain's public door: pages and other domains import from here only (README.md). */
export * from './feedback.ts';
