/**
 * Raw records over the Open Inference Protocol v2. A request with `"parameters": { "lepton_preprocess": true }`
 * carries one BYTES input named `records` of shape `[n]`, whose elements are JSON objects of raw fields (or their
 * JSON text, as OIP BYTES elements are strings); the server applies the deployment's transforms and runs the model
 * on the rows they give:
 *
 *     { "parameters": { "lepton_preprocess": true },
 *       "inputs": [{ "name": "records", "datatype": "BYTES", "shape": [1],
 *                    "data": [{ "Beak Length (mm)": 39.1, "Beak Depth (mm)": 18.7, "Flipper Length (mm)": 181, "Body Mass (g)": 3750 }] }] }
 */
import type { InferRequest } from '../deployment.js';
import { errors } from '../errors.js';
import type { ModelMeta, TensorSpec } from '../meta.js';
import type { DecodedInputs, RequestTensor } from '../tensors.js';
import { compileTransforms, type Preprocessor } from './compile.js';

/** The request parameter that asks for server-side preprocessing. */
export const PREPROCESS_PARAMETER = 'lepton_preprocess';

/** The name of the records input of a preprocessing request. */
export const RECORDS_INPUT = 'records';

/** The transforms of a version compiled for its model: the model input they feed, and the preprocessor. */
export interface ModelPreprocessor {
  /** The model's only input, `[batch, features]` FP32. */
  input: TensorSpec;
  preprocessor: Preprocessor;
}

/** What compiling a version's transforms reads of its metadata; a field being checked at deploy may still be undefined. */
export interface PreprocessedMeta {
  inputs: ModelMeta['inputs'];
  transforms: ModelMeta['transforms'];
  features?: ModelMeta['features'] | undefined;
  missingValues?: ModelMeta['missingValues'] | undefined;
}

/**
 * Compiles a version's transforms for its model (at deploy, to refuse what cannot be applied, and at load).
 * Throws `LEPTON_BAD_META` naming the problem: a transform that cannot be applied, a model that does not take
 * one `[batch, features]` FP32 input, or features that do not match the transforms or the model.
 */
export function modelPreprocessor(meta: PreprocessedMeta): ModelPreprocessor {
  const inputs = meta.inputs;
  const input = inputs[0];
  if (inputs.length !== 1 || !input || input.datatype !== 'FP32' || input.shape.length !== 2) {
    const has = inputs.map((i) => `"${i.name}" ${i.datatype} [${i.shape.join(', ')}]`).join(', ');
    throw errors.badMeta(
      `transforms are applied to records for a model with one FP32 input of shape [batch, features]; this model has ${has}.`,
    );
  }
  const preprocessor = compileTransforms(meta.transforms, {
    width: input.shape[1]!,
    ...(meta.features === undefined ? {} : { features: meta.features }),
    ...(meta.missingValues === undefined ? {} : { missing: meta.missingValues }),
  });
  return { input, preprocessor };
}

/**
 * The model's feed from a preprocessing request's `inputs`: the records, preprocessed. Throws
 * `LEPTON_BAD_RECORDS` when the inputs are not one BYTES `records` tensor of shape `[n]` holding n objects (or
 * their JSON text), and `LEPTON_BAD_RECORD` naming the first record and field that cannot be preprocessed.
 */
export function decodeRecords(model: ModelPreprocessor, inputs: readonly RequestTensor[]): DecodedInputs {
  const tensor = inputs[0];
  if (inputs.length !== 1 || !tensor || tensor.name !== RECORDS_INPUT) {
    throw errors.badRecords(
      `the request has ${inputs.length === 1 ? `input "${tensor?.name}"` : `${inputs.length} inputs`}.`,
    );
  }
  if (tensor.datatype !== 'BYTES') throw errors.badRecords(`input "records" has datatype ${tensor.datatype}.`);
  // A BYTES tensor always has `data` here: binary elements were turned into text when the body was read.
  const data = tensor.data ?? [];
  const n = data.length;
  if (tensor.shape.length !== 1 || tensor.shape[0] !== n)
    throw errors.badRecords(`input "records" has shape [${tensor.shape.join(', ')}] for ${n} elements.`);
  if (n === 0) throw errors.badRecords('input "records" holds no records.');
  const batch = model.input.shape[0]!;
  if (batch !== -1 && batch !== n)
    throw errors.badRecords(`the model takes batches of exactly ${batch} rows; the request has ${n} records.`);
  const records = data.map((element, r) => {
    if (typeof element !== 'string') return element;
    try {
      return JSON.parse(element) as unknown;
    } catch {
      throw errors.badRecord(r, undefined, 'is a string that is not the JSON text of an object');
    }
  });
  const rows = model.preprocessor.apply(records);
  return { feeds: { [model.input.name]: { data: rows, shape: [n, model.preprocessor.features.length] } }, rows: n };
}

/**
 * The infer request that sends `records` for server-side preprocessing.
 * @example await client.infer('penguins', recordsRequest([{ 'Body Mass (g)': 3750, Island: 'Dream' }]))
 */
export function recordsRequest(records: readonly object[]): InferRequest {
  return {
    parameters: { [PREPROCESS_PARAMETER]: true },
    inputs: [{ name: RECORDS_INPUT, datatype: 'BYTES', shape: [records.length], data: [...records] }],
  };
}
