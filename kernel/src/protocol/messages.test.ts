import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asRequest, REPLY_TYPES, type RawMessage } from './messages.js';
import { decode, DELIMITER, encode, makeHeader, Signer, WireError } from './wire.js';

const raw = (msgType: string): RawMessage => ({
  identities: [],
  header: makeHeader(msgType, 's'),
  parent_header: {},
  metadata: {},
  content: {},
  buffers: [],
});

test('asRequest takes the request types the kernel handles and leaves any other msg_type out', () => {
  for (const type of ['execute_request', 'comm_msg', 'input_reply', 'shutdown_request'])
    assert.equal(asRequest(raw(type))?.header.msg_type, type);
  for (const type of ['execute_reply', 'debug_request', 'toString', '__proto__'])
    assert.equal(asRequest(raw(type)), undefined, type);
});

test('every request with a reply names a *_reply type', () => {
  for (const [request, reply] of Object.entries(REPLY_TYPES))
    assert.equal(reply, request.replace(/_request$/, '_reply'));
});

test('decode rejects a message whose header has no msg_type', () => {
  const signer = new Signer('k');
  const parts = [{ msg_id: '1', session: 's' }, {}, {}, {}].map((part) => Buffer.from(JSON.stringify(part)));
  const frames = [Buffer.from(DELIMITER), Buffer.from(signer.sign(parts)), ...parts];
  assert.throws(() => decode(frames, signer), WireError);
  assert.equal(
    decode(encode({ header: makeHeader('kernel_info_request', 's'), content: {} }, signer), signer).header.msg_type,
    'kernel_info_request',
  );
});
