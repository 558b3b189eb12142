/** The staff domain's public door: pages and other domains import from here only (README.md). */
export * from './access.ts';
export * from './accounts.ts';
export * from './passwords.ts';
export * from './recovery.ts';
export * from './sessions.ts';
export * from './throttle.ts';
export * from './totp.ts';
