import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorCatalogue } from './catalogue.js';
import { errors } from './errors.js';

test('the catalogue as data gives each coded entry the code and status of the error it builds', () => {
  const catalogue = errorCatalogue();
  assert.deepEqual(catalogue.unknownInput, { code: 'LEPTON_UNKNOWN_INPUT', status: 400 });
  assert.deepEqual(catalogue.unknownModel, { code: 'LEPTON_UNKNOWN_MODEL', status: 404 });
  const built = errors.badShape('x', [1], [2]);
  assert.deepEqual(catalogue.badShape, { code: built.code, status: built.statusCode });
  assert.equal(
    catalogue.badImage,
    undefined,
    'entries built per call carry their code in the error, not in the catalogue',
  );
});
