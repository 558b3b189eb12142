/** The notifications domain's public door: pages and other domains import from here only (README.md). */
export * from './notifications.ts';
export * from './safeguarding.ts';
