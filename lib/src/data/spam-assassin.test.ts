import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEmail, htmlText } from './email.js';
import { spamAssassin } from '../datasets/datasets.js';

test('parseEmail unfolds headers, decodes RFC 2047 subjects, quoted-printable and base64 parts in their charset', () => {
  const raw = [
    'From: a@example.com',
    'Subject: =?iso-8859-1?Q?Caf=E9_offer?= and',
    '\tmore',
    'Content-Type: multipart/mixed; boundary="XYZ"',
    '',
    'preamble',
    '--XYZ',
    'Content-Type: text/plain; charset=iso-8859-1',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Gr=FC=DFe, a soft=',
    ' break',
    '--XYZ',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('<p>Hello&nbsp;<b>wörld</b> &amp; co</p><style>p{}</style>').toString('base64'),
    '--XYZ',
    'Content-Type: application/octet-stream',
    'Content-Disposition: attachment; filename=x.bin',
    '',
    'AAAA',
    '--XYZ--',
  ].join('\r\n');
  const email = parseEmail(raw);
  assert.equal(email.subject, 'Café offer and more');
  assert.equal(email.headers.get('from'), 'a@example.com');
  assert.equal(email.body, 'Grüße, a soft break\n\nHello wörld & co');
});

test('a multipart/alternative message keeps its plain text part only', () => {
  const raw =
    'Subject: hi\nContent-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\nplain words\n--b\nContent-Type: text/html\n\n<p>html words</p>\n--b--\n';
  assert.equal(parseEmail(raw).body, 'plain words');
  assert.equal(htmlText('<div>a&#233;&#x263A;</div><script>x()</script>'), 'aé☺');
});

test('spamAssassin reads the 6,046 messages of the corpus with headers parsed off, labelled by group', () => {
  const mail = spamAssassin();
  assert.deepEqual(mail.columnNames(), ['subject', 'body', 'text', 'label', 'group', 'id']);
  assert.equal(mail.numRows(), 6046);
  const counts: Record<string, unknown> = Object.fromEntries(
    (mail.valueCounts('group').objects() as { group: string; count: number }[]).map((r) => [r.group, r.count]),
  );
  assert.deepEqual(counts, {
    'easy-ham-1': 2500,
    'easy-ham-2': 1400,
    'hard-ham-1': 250,
    'spam-1': 500,
    'spam-2': 1396,
  });
  const rows = mail.objects() as Array<Record<string, string>>;
  assert.equal(rows.filter((r) => r['label'] === 'spam').length, 1896);
  assert.ok(rows.every((r) => (r['label'] === 'spam') === r['group']!.startsWith('spam')));
  assert.equal(
    rows.filter((r) => /^(Return-Path|Received|Delivered-To):/m.test(r['body']!)).length < 20,
    true,
    'bodies do not carry the message headers',
  );
  assert.equal(rows[0]!['subject'], 'Re: New Sequences Window');
  assert.ok(rows[0]!['text']!.startsWith('Re: New Sequences Window\n\n'));
  assert.equal(spamAssassin(), mail, 'cached after the first load');
});
