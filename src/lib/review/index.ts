/** The review domain's public door: pages and other domains import from here only (README.md). */
export * from './form.ts';
export * from './reply-templates.ts';
export * from './review.ts';
