/** The appeals domain's public door: pages and other domains import from here only (README.md). */
export * from './appeals.ts';
export * from './decision-routes.ts';
export * from './email-suggestion.ts';
export * from './info-wait-job.ts';
export * from './info-wait.ts';
export * from './journey.ts';
export * from './journeys.ts';
export * from './limits.ts';
export * from './state.ts';
export * from './status-link-request.ts';
export * from './steps.ts';
