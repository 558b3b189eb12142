/**
 * Request body limits, applied by the HTTP host (src/server/http-server.ts) before anything reads a body,
 * so every POST route is covered (pages, endpoints, Astro Actions). See
 * docs/decisions/017-body-limits-and-header-policy.md.
 *
 * - A declared Content-Length over the limit is refused at once: not a byte of the body is read.
 * - A body without a length (chunked) is read up to the limit and no further: past it, nothing more
 *   is kept, and the request is refused.
 * - A body within the limit is read into one Buffer and handed to the Astro adapter as `req.body`
 *   (it takes a Buffer as the whole body), so nothing downstream reads the socket again.
 *
 * A refused request is turned into a GET of the same address with `bodyTooLarge` in locals: the
 * page renders again (the form, with what the journey has kept) with an error at the top, and the
 * middleware answers it with 413 (src/middleware.ts). After the answer, what the client still sends
 * is read and thrown away for at most LINGER_MS, then the connection is closed, so the client can
 * read the 413 before the connection goes (closing with unread bytes would reset it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Public forms: the longest public form (a post's link, 2,000 characters, and excerpt, 5,000) is
 * at most about 90 kB urlencoded even when every character is an emoji (12 bytes each once
 * percent-encoded); 256 KiB leaves room to spare.
 */
export const PUBLIC_BODY_LIMIT = 256 * 1024;
/** Staff forms (a draft's text is up to 50,000 characters): 1 MiB. */
export const STAFF_BODY_LIMIT = 1024 * 1024;
/** How long a refused body is still read (and discarded) after the 413 is sent. */
export const LINGER_MS = 2_000;

/** The limit for a request path: staff pages (and the first-run setup page) get the larger one. */
export function bodyLimitFor(pathname: string): number {
  return /^\/(staff|setup)(\/|$)/.test(pathname) ? STAFF_BODY_LIMIT : PUBLIC_BODY_LIMIT;
}

const REFUSED = Symbol.for('fair-hearing.body-too-large');

type WithBody = IncomingMessage & { body?: Buffer; [REFUSED]?: number };

/** What locals a render of this request starts with: `bodyTooLarge` when its body was refused. */
export function bodyLimitLocals(req: IncomingMessage): { bodyTooLarge?: { limitBytes: number } } {
  const limit = (req as WithBody)[REFUSED];
  return limit === undefined ? {} : { bodyTooLarge: { limitBytes: limit } };
}

/** True when this request's body was refused (its render must not come from or go to a cache). */
export function bodyWasRefused(req: IncomingMessage): boolean {
  return (req as WithBody)[REFUSED] !== undefined;
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const end = raw.search(/[?#]/);
  return end === -1 ? raw : raw.slice(0, end);
}

/**
 * Reads the request's body within its limit, then calls `next` (never when the client went away
 * while sending). A refused request reaches `next` as a body-less GET marked for the 413 page.
 */
export function limitRequestBody(
  req: IncomingMessage,
  res: ServerResponse,
  next: () => void,
  limitFor: (pathname: string) => number = bodyLimitFor,
): void {
  const limit = limitFor(pathOf(req.url));
  const declared = req.headers['content-length'];
  const declaredBytes = declared === undefined ? undefined : Number(declared);
  if (declaredBytes !== undefined && declaredBytes > limit) {
    refuse(req as WithBody, res, limit);
    next();
    return;
  }
  const hasBody = req.headers['transfer-encoding'] !== undefined || (declaredBytes !== undefined && declaredBytes > 0);
  // GET and HEAD bodies are never read by the app (Node discards them); nor is a missing body.
  if (!hasBody || req.method === 'GET' || req.method === 'HEAD') {
    next();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) {
      cleanup();
      chunks.length = 0;
      refuse(req as WithBody, res, limit);
      next();
      return;
    }
    chunks.push(chunk);
  };
  const onEnd = () => {
    cleanup();
    (req as WithBody).body = Buffer.concat(chunks, size);
    next();
  };
  // The client went away while sending: there is no one to answer.
  const onGone = () => cleanup();
  const cleanup = () => {
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onGone);
    req.off('aborted', onGone);
  };
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onGone);
  req.on('aborted', onGone);
}

function refuse(req: WithBody, res: ServerResponse, limit: number): void {
  req[REFUSED] = limit;
  // The app sees a GET of the same address, without a body to read.
  req.method = 'GET';
  delete req.headers['content-length'];
  delete req.headers['transfer-encoding'];
  delete req.headers['content-type'];
  // Nothing more is read: the connection is paused (the client's sending stalls) until it closes.
  req.pause();
  req.on('error', discard);
  const socket = req.socket;
  // When the connection is to close after the answer (the client sent Connection: close), Node
  // ends it and destroys it as soon as the answer is written; destroying it with unread bytes
  // would reset it, and the client could lose the 413. Instead: end it (the answer, then FIN),
  // keep reading and discarding, and destroy it after LINGER_MS.
  socket.destroySoon = () => {
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  };
  res.once('finish', () => {
    // A kept-alive connection: if the client does not finish sending the (discarded) rest within
    // LINGER_MS, it is closed; if it does, the connection may be used again.
    if (req.complete) return;
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    req.once('end', () => clearTimeout(timer));
  });
}

function discard(): void {}
