import { expect } from 'vitest';
import { recentPostDateFields } from '../../support/appeals.ts';
import type { HttpClient } from './client.ts';

/** The two questions after the contact details, answered the simplest way: for myself, no other needs. */
export const ABOUT_THEM_STEPS: [string, Record<string, string>][] = [
  ['/appeal/who-is-asking', { 'asking-for': 'self' }],
  ['/appeal/contact-needs', { 'needs-any': 'no' }],
];

/** Answers every step of a no-reference appeal (each a 303), up to "Check your answers". */
export async function answerPostAppeal(web: HttpClient, handle: string, email: string): Promise<void> {
  const steps: [string, Record<string, string>][] = [
    ['/appeal/platform', { platform: 'facebook' }],
    ['/appeal/what-happened', { action: 'hidden' }],
    ['/appeal/account', { handle }],
    ['/appeal/post-date', recentPostDateFields()],
    ['/appeal/post-link', { 'post-url': '' }],
    ['/appeal/reason', { reason: 'Appeal sent to test the limit.' }],
    ['/appeal/contact', { email, name: '' }],
    ...ABOUT_THEM_STEPS,
  ];
  for (const [path, form] of steps) expect((await web.post(path, form)).status, path).toBe(303);
}
