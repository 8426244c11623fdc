/**
 * `Embedding`: a Gather of rows of the embedding matrix, indices cast to int64 (tfjs feeds them as floats and
 * truncates them the same way).
 */
import { attr } from '../../onnx/graph.js';
import { DataType } from '../../onnx/format.js';
import { check, hintOf, onlyInput, weight, type LayerConverter } from './context.js';

/** `Embedding` (without `maskZero`, whose mask an exported graph cannot carry). */
export const embedding: LayerConverter = (call, g) => {
  check(
    call,
    call.config['maskZero'] !== true,
    'maskZero is not supported (ONNX graphs carry no masks); set maskZero: false',
  );
  const h = hintOf(call);
  const table = weight(call, 'embeddings');
  const indices = g.op('Cast', [onlyInput(call)], { to: attr.int(DataType.INT64) }, h);
  return [g.op('Gather', [g.addFloats(`${h}/embeddings`, table.data, table.shape), indices], { axis: attr.int(0) }, h)];
};
