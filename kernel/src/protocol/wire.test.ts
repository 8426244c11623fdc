import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { decode, DELIMITER, encode, makeHeader, Signer, WireError } from './wire.js';

const signer = new Signer('secret-key');

test('encode signs the four JSON frames with HMAC-SHA256 of the key', () => {
  const header = makeHeader('status', 'session-1');
  const frames = encode({ header, content: { execution_state: 'idle' } }, signer);
  assert.equal(frames[0]!.toString(), DELIMITER);
  const hmac = createHmac('sha256', 'secret-key');
  for (const frame of frames.slice(2, 6)) hmac.update(frame);
  assert.equal(frames[1]!.toString(), hmac.digest('hex'));
});

test('decode returns identities, header, content and buffers of an encoded message', () => {
  const header = makeHeader('comm_msg', 's');
  const frames = encode(
    { identities: [Buffer.from('client')], header, content: { a: 1 }, buffers: [new Uint8Array([1, 2])] },
    signer,
  );
  const message = decode(frames, signer);
  assert.deepEqual(message.identities.map(String), ['client']);
  assert.equal(message.header.msg_type, 'comm_msg');
  assert.deepEqual(message.content, { a: 1 });
  assert.deepEqual([...message.buffers[0]!], [1, 2]);
});

test('decode rejects a message whose signature does not match', () => {
  const frames = encode({ header: makeHeader('x', 's'), content: {} }, new Signer('other-key'));
  assert.throws(() => decode(frames, signer), WireError);
});

test('decode rejects frames without the delimiter', () => {
  assert.throws(() => decode([Buffer.from('a')], signer), /delimiter/);
});

test('an empty key neither signs nor checks', () => {
  const open = new Signer('');
  const frames = encode({ header: makeHeader('x', 's'), content: {} }, open);
  assert.equal(frames[1]!.toString(), '');
  assert.equal(decode(frames, open).header.msg_type, 'x');
});
