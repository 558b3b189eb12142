/**
 * Waiting for the appellant (issue 19 point 3): after a request for more information, one
 * reminder once INFO_WAIT_WORKING_DAYS working days have passed without an answer, and after
 * twice that the review resumes by itself. Dates only here; the job is src/lib/appeals/info-wait-job.ts.
 */
import { addWorkingDays } from '../platform/index.ts';

export interface InfoWaitDates {
  /** From the end of this moment the reminder is due. */
  remindAt: Date;
  /** The answer is needed by this moment (the end of a working day); then the review resumes. */
  answerBy: Date;
}

/** When to remind and when to stop waiting, for a request made at `askedAt`. */
export function infoWaitDates(askedAt: Date, workingDays: number): InfoWaitDates {
  return { remindAt: addWorkingDays(askedAt, workingDays), answerBy: addWorkingDays(askedAt, 2 * workingDays) };
}
