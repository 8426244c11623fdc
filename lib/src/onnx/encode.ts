/**
 * Encodes an ONNX `ModelProto` (typed in `format.ts`) to the bytes of a `.onnx` file.
 */
import {
  AttributeType,
  Field,
  type AttributeProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './format.js';
import { ProtoWriter } from './protobuf-writer.js';

/** The bytes of a `.onnx` file for `model`. */
export function encodeModel(model: ModelProto): Uint8Array {
  const w = new ProtoWriter();
  const F = Field.Model;
  w.varint(F.irVersion, model.irVersion);
  if (model.producerName) w.string(F.producerName, model.producerName);
  if (model.producerVersion) w.string(F.producerVersion, model.producerVersion);
  if (model.docString) w.string(F.docString, model.docString);
  w.message(F.graph, (g) => writeGraph(g, model.graph));
  for (const opset of model.opsetImport) {
    w.message(F.opsetImport, (o) => {
      if (opset.domain) o.string(Field.OperatorSetId.domain, opset.domain);
      o.varint(Field.OperatorSetId.version, opset.version);
    });
  }
  for (const { key, value } of model.metadataProps) {
    w.message(F.metadataProps, (e) =>
      e.string(Field.StringStringEntry.key, key).string(Field.StringStringEntry.value, value),
    );
  }
  return w.finish();
}

function writeGraph(w: ProtoWriter, graph: GraphProto): void {
  const F = Field.Graph;
  for (const node of graph.node) w.message(F.node, (n) => writeNode(n, node));
  w.string(F.name, graph.name);
  for (const t of graph.initializer) w.message(F.initializer, (m) => writeTensor(m, t));
  for (const v of graph.input) w.message(F.input, (m) => writeValueInfo(m, v));
  for (const v of graph.output) w.message(F.output, (m) => writeValueInfo(m, v));
  for (const v of graph.valueInfo) w.message(F.valueInfo, (m) => writeValueInfo(m, v));
}

function writeNode(w: ProtoWriter, node: NodeProto): void {
  const F = Field.Node;
  for (const name of node.input) w.string(F.input, name);
  for (const name of node.output) w.string(F.output, name);
  if (node.name) w.string(F.name, node.name);
  w.string(F.opType, node.opType);
  for (const a of node.attribute) w.message(F.attribute, (m) => writeAttribute(m, a));
  if (node.domain) w.string(F.domain, node.domain);
}

function writeAttribute(w: ProtoWriter, a: AttributeProto): void {
  const F = Field.Attribute;
  w.string(F.name, a.name);
  switch (a.type) {
    case AttributeType.FLOAT:
      w.float(F.f, a.f);
      break;
    case AttributeType.INT:
      w.varint(F.i, a.i);
      break;
    case AttributeType.STRING:
      w.string(F.s, a.s);
      break;
    case AttributeType.TENSOR:
      w.message(F.t, (m) => writeTensor(m, a.t));
      break;
    case AttributeType.FLOATS:
      w.packedFloats(F.floats, a.floats);
      break;
    case AttributeType.INTS:
      w.packedVarints(F.ints, a.ints);
      break;
    case AttributeType.STRINGS:
      for (const s of a.strings) w.string(F.strings, s);
      break;
  }
  w.varint(F.type, a.type);
}

function writeTensor(w: ProtoWriter, t: TensorProto): void {
  const F = Field.Tensor;
  w.packedVarints(F.dims, t.dims);
  w.varint(F.dataType, t.dataType);
  if (t.name) w.string(F.name, t.name);
  w.bytes(F.rawData, t.rawData);
}

function writeValueInfo(w: ProtoWriter, v: ValueInfoProto): void {
  w.string(Field.ValueInfo.name, v.name);
  w.message(Field.ValueInfo.type, (type) =>
    type.message(Field.Type.tensorType, (tensor) => {
      tensor.varint(Field.TypeTensor.elemType, v.elemType);
      tensor.message(Field.TypeTensor.shape, (shape) => {
        for (const d of v.shape) {
          shape.message(Field.TensorShape.dim, (dim) => {
            if ('dimValue' in d) dim.varint(Field.Dimension.dimValue, d.dimValue);
            else dim.string(Field.Dimension.dimParam, d.dimParam);
          });
        }
      });
    }),
  );
}
