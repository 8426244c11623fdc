import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrayFromBytes } from '@lepton/server/wire';
import { DeployError } from '../errors.js';
import { columnsRequest } from './columns.js';

const columns = [
  { name: 'mass', type: 'float' },
  { name: 'island', type: 'string' },
  { name: 'seen', type: 'double' },
] as const;

test('records become one [n, 1] input per raw column: numbers and dates as binary data (NaN for missing), categories as JSON strings ("" for missing)', () => {
  const request = columnsRequest(
    columns,
    [
      { mass: 3750, island: 'Dream', seen: '2015-06-01' },
      { mass: null, seen: Date.UTC(2016, 0, 2) },
      { mass: NaN, island: null, extra: 'ignored' },
    ],
    'penguins',
  );
  assert.deepEqual(
    request.inputs.map((i) => [i.name, i.datatype, i.shape]),
    [
      ['mass', 'FP32', [3, 1]],
      ['island', 'BYTES', [3, 1]],
      ['seen', 'FP64', [3, 1]],
    ],
  );
  const [mass, island, seen] = request.inputs;
  assert.equal(mass!.data, undefined);
  assert.equal(mass!.parameters?.binary_data_size, 12);
  const masses = Array.from(arrayFromBytes(Float32Array, mass!.binary!));
  assert.equal(masses[0], 3750);
  assert.ok(Number.isNaN(masses[1]) && Number.isNaN(masses[2]), 'missing numbers are NaN');
  assert.deepEqual(island!.data, ['Dream', '', '']);
  assert.equal(island!.binary, undefined);
  assert.deepEqual(Array.from(arrayFromBytes(Float64Array, seen!.binary!)).slice(0, 2), [
    Date.UTC(2015, 5, 1),
    Date.UTC(2016, 0, 2),
  ]);
});

test('a field a column cannot hold is LEPTON_BAD_INPUT naming the deployment, the record and the field', () => {
  assert.throws(
    () => columnsRequest(columns, [{ mass: 1, island: 'Dream' }, { mass: 'heavy' }], 'penguins'),
    (error: DeployError) =>
      error instanceof DeployError &&
      error.code === 'LEPTON_BAD_INPUT' &&
      /"penguins".*Record 1: "mass" holds "heavy", not a number/.test(error.message),
  );
  assert.throws(
    () => columnsRequest(columns, [{ island: 7 }], 'penguins'),
    /Record 0: "island" holds 7; the graph takes this column's categories as strings/,
  );
});

test('deploying to Ray with an image input is refused before any cluster is asked, naming where images are decoded', async () => {
  const { deploy } = await import('../deploy.js');
  await assert.rejects(
    deploy(new Uint8Array([1]), { name: 'digits', image: { size: [28, 28], channels: 1 }, target: { ray: {} } }),
    (error: DeployError) =>
      error.code === 'LEPTON_BAD_INPUT' && /image files are decoded on the Lepton server only/.test(error.message),
  );
});
