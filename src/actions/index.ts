/**
 * Astro Actions. The project's forms post to their pages (one thing a page, working without
 * JavaScript); the one action here exists for the benchmarks only.
 *
 * `benchFloor`: the framework's floor for a form submission (bench/run.ts, "submissions"): it
 * parses the same form an appeal's last step carries and does nothing else. It answers 404
 * unless BENCH_ENDPOINTS is set (never in production), so it exposes nothing.
 */
import { ActionError, defineAction } from 'astro:actions';
import { z } from 'astro/zod';

export const server = {
  benchFloor: defineAction({
    accept: 'form',
    input: z.object({ reason: z.string().max(5000), email: z.string().max(254) }),
    handler: (input, context) => {
      if (!context.locals.runtime.config.benchEndpoints) throw new ActionError({ code: 'NOT_FOUND' });
      return { length: input.reason.length };
    },
  }),
};
