/**
 * The SMTP sink as its own process for browser tests (Playwright starts it before the app).
 * SMTP on E2E_SMTP_PORT; a small JSON control API on E2E_SMTP_CONTROL_PORT, used by the
 * `mailbox` fixture (tests/e2e/fixtures.ts):
 *   GET  /health             200 when ready
 *   GET  /messages           every message received so far
 *   POST /stop, POST /start  stop or start the SMTP listener (an outage)
 *   POST /reject?code=550    refuse every message with that code; /reject with no code accepts again
 */
import { createServer } from 'node:http';
import { SmtpSink } from './smtp-sink.ts';

const smtpPort = Number(process.env.E2E_SMTP_PORT);
const controlPort = Number(process.env.E2E_SMTP_CONTROL_PORT);
if (!smtpPort || !controlPort) throw new Error('Set E2E_SMTP_PORT and E2E_SMTP_CONTROL_PORT');

const sink = new SmtpSink();
// An outage drops the app's open connections after 0.2 s, as the resilience suite's does; by
// default smtp-server waits up to 30 s for connected clients to leave before it stops.
sink.closeTimeoutMs = 200;
await sink.start(smtpPort);
let listening = true;

function headersOf(map: Map<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of map) out[name] = typeof value === 'string' ? value : JSON.stringify(value);
  return out;
}

const control = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  void (async () => {
    if (req.method === 'GET' && url.pathname === '/health') return reply(200, { listening });
    if (req.method === 'GET' && url.pathname === '/messages') {
      return reply(
        200,
        sink.messages.map((m) => ({ ...m, headers: headersOf(m.headers) })),
      );
    }
    if (req.method === 'POST' && url.pathname === '/stop') {
      if (listening) await sink.stop();
      listening = false;
      return reply(200, { listening });
    }
    if (req.method === 'POST' && url.pathname === '/start') {
      if (!listening) await sink.start(smtpPort);
      listening = true;
      return reply(200, { listening });
    }
    if (req.method === 'POST' && url.pathname === '/reject') {
      const code = url.searchParams.get('code');
      sink.rejectWith = code ? Number(code) : undefined;
      return reply(200, { rejectWith: sink.rejectWith ?? null });
    }
    return reply(404, { error: 'not found' });
  })().catch((error: unknown) => reply(500, { error: String(error) }));
});
// Specs block their worker's event loop while a CLI runs (spawnSync; npm run info-wait takes several
// seconds on PostgreSQL). Node's default 5 s keep-alive let this server close an idle connection
// meanwhile, and the spec's next fetch, reusing it before its own timer ran, failed with "other side
// closed" (seen once in the browser suite on PostgreSQL). A minute covers any such pause.
control.keepAliveTimeout = 60_000;
control.listen(controlPort, '127.0.0.1', () => {
  console.log(`SMTP sink on ${smtpPort}, control on ${controlPort}`);
});

const stop = () => {
  control.close();
  void sink.stop().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
