/** The principles domain's public door: pages and other domains import from here only (README.md). */
export * from './admin.ts';
export * from './change-alerts.ts';
export * from './diff.ts';
export * from './feed.ts';
export * from './markdown.ts';
export * from './rendered-diff.ts';
export * from './versions.ts';
