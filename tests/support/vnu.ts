/**
 * The Nu Html Checker (vnu-jar, run locally with Java) over a batch of HTML documents.
 * One Java start for the whole batch keeps it quick.
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

export async function validateHtml(documents: { name: string; html: string }[]): Promise<HtmlError[]> {
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
    const report = JSON.parse(output) as { messages: { type: string; url: string; message: string; extract?: string; lastLine?: number }[] };
    return report.messages
      .filter((m) => m.type === 'error')
      .map((m) => ({
        page: files.find((f) => m.url.endsWith(f.file))?.name ?? m.url,
        message: m.message,
        extract: m.extract,
        line: m.lastLine,
      }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
