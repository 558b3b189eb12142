/**
 * Figures the suite reports (kills survived, appeals acknowledged vs found, emails, inputs tried…):
 * each test file appends lines to one file named by global-setup.ts, which prints them all at the end.
 */
import { appendFileSync } from 'node:fs';

export function recordFigure(section: string, name: string, value: string | number): void {
  const file = process.env.RESILIENCE_FIGURES_FILE;
  console.log(`[figures] ${section}: ${name} = ${value}`);
  if (file) appendFileSync(file, JSON.stringify({ section, name, value }) + '\n');
}
