/**
 * A real SMTP server for tests (smtp-server), parsing what it receives with mailparser.
 * It can refuse mail with a chosen SMTP code, and be stopped and started again on the same port
 * to simulate an outage.
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  messageId: string | undefined;
  from: string | undefined;
  to: string[];
  subject: string | undefined;
  text: string;
  html: string;
  headers: Map<string, unknown>;
  raw: string;
}

export class SmtpSink {
  readonly messages: ReceivedMail[] = [];
  /** When set, every message is refused with this code (e.g. 550 permanent, 451 temporary). */
  rejectWith: number | undefined;
  /**
   * When true, each message is recorded as received but the reply to DATA is held back until
   * `releaseReplies()`: the sender sees a slow server (used to kill a worker mid-send).
   */
  holdReplies = false;
  #held: (() => void)[] = [];
  #server: SMTPServer | undefined;
  #port = 0;
  /** Connection errors reported by the server (e.g. ECONNRESET from a killed client). */
  readonly connectionErrors: string[] = [];
  /** How long stop() waits for connected clients (smtp-server's default is 30 s). */
  closeTimeoutMs: number | undefined;

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.#port}`;
  }

  async start(port = 0): Promise<this> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      ...(this.closeTimeoutMs === undefined ? {} : { closeTimeout: this.closeTimeoutMs }),
      onData: (stream, _session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (this.rejectWith) {
            const err = Object.assign(new Error('Refused by test SMTP sink'), { responseCode: this.rejectWith });
            callback(err);
            return;
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw)
            .then((mail) => {
              this.messages.push(toReceived(mail, raw));
              if (this.holdReplies) this.#held.push(() => callback());
              else callback();
            })
            .catch(callback);
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port || this.#port, '127.0.0.1', () => resolve());
    });
    this.#port = (server.server.address() as { port: number }).port;
    // A client that dies mid-session (a SIGKILLed sender) resets its connection: smtp-server
    // reports that as an 'error' event, which must not become an uncaught exception here.
    server.on('error', (error: Error) => {
      this.connectionErrors.push(error.message);
    });
    this.#server = server;
    return this;
  }

  /** Sends the held DATA replies (to senders still connected) and stops holding. */
  releaseReplies(): void {
    this.holdReplies = false;
    const held = this.#held;
    this.#held = [];
    for (const reply of held) reply();
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Waits until `count` messages matching `match` have arrived. */
  async waitFor(match: (m: ReceivedMail) => boolean, count = 1, timeoutMs = 15_000): Promise<ReceivedMail[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.filter(match);
      if (found.length >= count) return found;
      if (Date.now() > deadline)
        throw new Error(`Expected ${count} message(s), received ${found.length} matching of ${this.messages.length}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function addresses(value: ParsedMail['to']): string[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.flatMap((a) => a.value.map((v) => v.address ?? ''));
}

function toReceived(mail: ParsedMail, raw: string): ReceivedMail {
  return {
    messageId: mail.messageId,
    from: mail.from?.value[0]?.address,
    to: addresses(mail.to),
    subject: mail.subject,
    text: mail.text ?? '',
    html: typeof mail.html === 'string' ? mail.html : '',
    headers: mail.headers as Map<string, unknown>,
    raw,
  };
}
