/**
 * The input and output specs an ONNX graph declares, in tfjs's terms (what compression reports for a model it
 * only has the bytes of).
 */
import type { TfjsTensorSpec } from '@lepton/server/wire';
import { DataType, type GraphProto, type ValueInfoProto } from './format.js';

function specOf(v: ValueInfoProto): TfjsTensorSpec {
  return {
    name: v.name,
    shape: v.shape.map((d) => ('dimValue' in d ? d.dimValue : null)),
    dtype: v.elemType === DataType.INT32 ? 'int32' : 'float32',
  };
}

/** The input and output specs a graph declares (symbolic dimensions are `null`). */
export function specsOf(graph: GraphProto): { inputs: TfjsTensorSpec[]; outputs: TfjsTensorSpec[] } {
  return { inputs: graph.input.map(specOf), outputs: graph.output.map(specOf) };
}
