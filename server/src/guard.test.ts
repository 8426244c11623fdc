import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { hostCheck, hostName, identityProof, inferenceCheck } from './guard.js';

const refused = (check: (h: string | undefined) => void, host: string | undefined) => {
  try {
    check(host);
    return false;
  } catch (error) {
    return (error as { code?: string }).code === 'LEPTON_HOST_NOT_ALLOWED';
  }
};

describe('the request guards', () => {
  it('reads the name of a Host header without port or IPv6 brackets', () => {
    assert.deepEqual(['LocalHost:8707', '[::1]:80', '127.0.0.1', 'a.b.c:1'].map(hostName), [
      'localhost',
      '::1',
      '127.0.0.1',
      'a.b.c',
    ]);
  });

  for (const [bound, allowed, host, refuse] of [
    ['127.0.0.1', [], 'localhost:8707', false],
    ['127.0.0.1', [], '[::1]:8707', false],
    ['127.0.0.1', [], 'evil.example:8707', true],
    ['127.0.0.1', ['models.lan'], 'models.lan:8707', false],
    ['10.0.0.5', [], '10.0.0.5:8707', false],
    ['10.0.0.5', [], 'localhost', true],
    ['0.0.0.0', [], 'anything.example', false],
    ['0.0.0.0', ['models.lan'], 'anything.example', true],
    ['0.0.0.0', ['models.lan'], 'localhost:1', false],
  ] as const) {
    it(`bound to ${bound} with --allow-host [${allowed.join(', ')}], ${refuse ? 'refuses' : 'answers'} Host ${host}`, () => {
      assert.equal(refused(hostCheck(bound, allowed), host), refuse);
    });
  }

  it('lets a request without Host through (HTTP/1.0: not a browser)', () => {
    assert.equal(refused(hostCheck('127.0.0.1'), undefined), false);
  });

  it('takes the inference token or the management token, and nothing else', () => {
    const check = inferenceCheck('infer-token', 'manage-token');
    check('Bearer infer-token');
    check('Bearer manage-token');
    for (const header of [undefined, 'Bearer nope', 'infer-token', 'Bearer infer-tokenX']) {
      assert.throws(
        () => {
          check(header);
        },
        (error: { code?: string; statusCode?: number }) =>
          error.code === 'LEPTON_UNAUTHORIZED' && error.statusCode === 401,
      );
    }
  });

  it('proves identity with an HMAC of the nonce that the Python proxy computes the same way', () => {
    const expected = createHmac('sha256', 'tok').update('lepton-identity:00ff').digest('hex');
    assert.equal(identityProof('tok', '00ff'), expected);
    assert.notEqual(identityProof('other', '00ff'), expected);
  });
});
