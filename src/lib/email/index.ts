/** The email domain's public door: pages and other domains import from here only (README.md). */
export * from './layout.ts';
export * from './notification.ts';
export * from './outbox.ts';
export * from './transport.ts';
export * from './worker.ts';
