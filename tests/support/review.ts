/**
 * Deciding an appeal as a reviewer does in the page: preview the email, then send with the
 * preview's digest (decideAppeal refuses anything that was not previewed).
 */
import {
  decideAppeal,
  previewDecision,
  type Actor,
  type DecisionInput,
  type ReviewResult,
} from '../../src/lib/review/review.ts';
import type { Runtime } from '../../src/lib/runtime.ts';

export async function decideAfterPreview(
  rt: Runtime,
  appealId: number,
  input: DecisionInput,
  actor: Actor,
): Promise<ReviewResult> {
  const preview = await previewDecision(rt, appealId, input, actor);
  if (!preview.ok) return preview;
  return await decideAppeal(rt, appealId, { ...input, previewed: preview.plan.digest }, actor);
}
