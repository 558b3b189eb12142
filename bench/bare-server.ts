/**
 * The baseline for public pages: a bare node:http server answering each path with the exact
 * status, headers and body the app sent (read from the JSON file named by BENCH_PAGES), and
 * nothing else. Started by bench/run.ts on loopback.
 */
import { readFileSync } from 'node:fs';
import { createServer, type OutgoingHttpHeaders } from 'node:http';

interface Page {
  status: number;
  headers: OutgoingHttpHeaders;
  body: string;
}
const pages = JSON.parse(readFileSync(process.env.BENCH_PAGES!, 'utf8')) as Record<string, Page>;
const ready = new Map(Object.entries(pages).map(([path, p]) => [path, { ...p, body: Buffer.from(p.body, 'base64') }]));

const server = createServer((req, res) => {
  const page = ready.get(req.url ?? '/');
  if (!page) {
    res.writeHead(404);
    res.end();
    return;
  }
  res.writeHead(page.status, page.headers);
  res.end(page.body);
});
server.listen(Number(process.env.BENCH_PORT), '127.0.0.1', () => console.log('bare server ready'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
