/**
 * `Embedding` as GATHER of rows of the embedding table. tfjs feeds token ids as floats and truncates them; a float
 * input is CAST to int32 first, which truncates the same way.
 */
import { check, weight } from '../../convert/context.js';
import { Op, opt, TensorType } from '../options.js';
import { onlyTensor, outShape, type TfliteConverter } from './context.js';

/** `Embedding` (without `maskZero`, whose mask a TFLite graph cannot carry). */
export const embedding: TfliteConverter = (call, g) => {
  check(
    call,
    call.config['maskZero'] !== true,
    'maskZero is not supported (TFLite graphs carry no masks); set maskZero: false',
  );
  const h = call.layer.name;
  const table = weight(call, 'embeddings');
  let ids = onlyTensor(call);
  const t = g.tensor(ids);
  if (t.dtype !== 'int32') {
    const shape = t.signature.map((d) => (d < 0 ? null : d));
    ids = g.op(
      Op.CAST,
      [ids],
      shape,
      h,
      opt.cast({ inDataType: TensorType.FLOAT32, outDataType: TensorType.INT32 }),
      'int32',
    );
  }
  return [
    g.op(
      Op.GATHER,
      [g.floats(`${h}/embeddings`, table.data, table.shape), ids],
      outShape(call),
      h,
      opt.gather({ axis: 0 }),
    ),
  ];
};
