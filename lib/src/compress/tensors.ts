/**
 * Helpers over decoded ONNX messages: reading initializer values, building small initializers, naming new values.
 */
import { dataTypeOf, type TensorData } from '../onnx/graph.js';
import { DataType, type GraphProto, type TensorProto } from '../onnx/format.js';
import { CompressError } from './errors.js';

/** The values of a float32 initializer. */
export function floatsOf(t: TensorProto): Float32Array {
  if (t.dataType !== DataType.FLOAT)
    throw new CompressError('LEPTON_COMPRESS_UNSUPPORTED', `initializer ${t.name} is not float32`);
  return new Float32Array(t.rawData.slice().buffer);
}

/** An initializer holding `data` with shape `dims`. */
export function tensor(name: string, data: TensorData, dims: readonly number[]): TensorProto {
  return {
    name,
    dataType: dataTypeOf(data),
    dims: [...dims],
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice(),
  };
}

/** Element count of a shape. */
export function count(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** A generator of value names not used in `graph` (nor given out before). */
export function nameAllocator(graph: GraphProto): (hint: string) => string {
  const used = new Set<string>();
  for (const n of graph.node) {
    used.add(n.name);
    for (const v of [...n.input, ...n.output]) used.add(v);
  }
  for (const t of graph.initializer) used.add(t.name);
  for (const v of [...graph.input, ...graph.output]) used.add(v.name);
  return (hint) => {
    let name = hint;
    for (let i = 1; used.has(name); i++) name = `${hint}_${i}`;
    used.add(name);
    return name;
  };
}
