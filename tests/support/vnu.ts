/**
 * The Nu Html Checker (vnu-jar, run locally with Java) over a batch of HTML documents.
 * The browser tests start the checker once as a local web service (playwright.config.ts, E2E_VNU_URL),
 * since each Java start takes seconds; elsewhere one Java start checks the whole batch.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const vnuJar = require('vnu-jar') as string;

export interface HtmlError {
  page: string;
  message: string;
  extract?: string;
  line?: number;
}

interface VnuMessage {
  type: string;
  url?: string;
  message: string;
  extract?: string;
  lastLine?: number;
}

/** The errors in one document, from the checker's web service (the same checks as its command line). */
async function checkWithService(service: string, doc: { name: string; html: string }): Promise<HtmlError[]> {
  const response = await fetch(`${service}?out=json`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/html; charset=utf-8' },
    body: doc.html,
  });
  if (!response.ok) throw new Error(`Nu Html Checker service: ${response.status}`);
  const report = (await response.json()) as { messages: VnuMessage[] };
  return report.messages
    .filter((m) => m.type === 'error')
    .map((m) => ({ page: doc.name, message: m.message, extract: m.extract, line: m.lastLine }));
}

export async function validateHtml(documents: { name: string; html: string }[]): Promise<HtmlError[]> {
  const service = process.env.E2E_VNU_URL;
  if (service) {
    const errors: HtmlError[] = [];
    for (const doc of documents) errors.push(...(await checkWithService(service, doc)));
    return errors;
  }
  const dir = mkdtempSync(join(tmpdir(), 'vnu-'));
  try {
    const files = documents.map((doc, i) => {
      const file = join(dir, `page-${i}.html`);
      writeFileSync(file, doc.html);
      return { file, name: doc.name };
    });
    const output = await new Promise<string>((resolve, reject) => {
      execFile(
        'java',
        ['-jar', vnuJar, '--errors-only', '--format', 'json', '--exit-zero-always', ...files.map((f) => f.file)],
        { maxBuffer: 64 * 1024 * 1024 },
        (error, _stdout, stderr) => (error ? reject(error) : resolve(stderr)),
      );
    });
    const report = JSON.parse(output) as { messages: VnuMessage[] };
    return report.messages
      .filter((m) => m.type === 'error')
      .map((m) => ({
        page: files.find((f) => m.url?.endsWith(f.file))?.name ?? m.url ?? '',
        message: m.message,
        extract: m.extract,
        line: m.lastLine,
      }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
