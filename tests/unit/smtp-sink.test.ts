import nodemailer from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { SmtpSink } from '../support/smtp-sink.ts';

describe('SmtpSink (test support)', () => {
  const sink = new SmtpSink();
  afterAll(() => sink.stop());

  it('receives and parses a message sent over real SMTP', async () => {
    await sink.start();
    const transport = nodemailer.createTransport(sink.url);
    await transport.sendMail({
      from: 'a@example.org',
      to: 'b@example.org',
      subject: 'Hello',
      text: 'Body',
      messageId: '<m1@test>',
    });
    const [mail] = await sink.waitFor((m) => m.subject === 'Hello');
    expect(mail?.to).toEqual(['b@example.org']);
    expect(mail?.messageId).toBe('<m1@test>');
    expect(mail?.text.trim()).toBe('Body');
  });

  it('refuses with the chosen code while rejecting', async () => {
    sink.rejectWith = 550;
    const transport = nodemailer.createTransport(sink.url);
    await expect(
      transport.sendMail({ from: 'a@example.org', to: 'b@example.org', subject: 'No', text: 'x' }),
    ).rejects.toMatchObject({
      responseCode: 550,
    });
    sink.rejectWith = undefined;
  });
});
