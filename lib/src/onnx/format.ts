/**
 * The ONNX on-disk format, typed apart from Lepton's API: the messages of `onnx.proto` that an exported model
 * uses, with their field numbers and enums, as the ONNX specification defines them (IR version 8, opset 17).
 * The encoder (`encode.ts`) writes exactly these; the decoder (`decode.ts`) reads them back.
 */

/** The IR version Lepton writes (IR 8 is the one that goes with opset 17). */
export const IR_VERSION = 8;

/** The default-domain opset Lepton writes. */
export const OPSET = 17;

/** `TensorProto.DataType`: the element types Lepton writes. */
export enum DataType {
  /** 32-bit IEEE float (`float32`). */
  FLOAT = 1,
  /** Unsigned 8-bit integer (quantized weights and activations). */
  UINT8 = 2,
  /** Signed 8-bit integer (quantized weights). */
  INT8 = 3,
  /** Signed 32-bit integer (`int32` inputs, quantized biases). */
  INT32 = 6,
  /** Signed 64-bit integer (shapes and indices, e.g. the indices an `Embedding` gathers). */
  INT64 = 7,
  /** UTF-8 strings (the raw category inputs of a pipeline graph). */
  STRING = 8,
  /** Boolean, one byte per element. */
  BOOL = 9,
  /** 64-bit IEEE float (a pipeline graph's date inputs: epoch milliseconds need more than float32's 24 bits). */
  DOUBLE = 11,
}

/** `AttributeProto.AttributeType`: the attribute kinds Lepton writes. */
export enum AttributeType {
  /** One float (`f`). */
  FLOAT = 1,
  /** One integer (`i`). */
  INT = 2,
  /** One string (`s`). */
  STRING = 3,
  /** One tensor (`t`). */
  TENSOR = 4,
  /** A list of floats (`floats`). */
  FLOATS = 6,
  /** A list of integers (`ints`). */
  INTS = 7,
  /** A list of strings (`strings`). */
  STRINGS = 8,
}

/** A tensor with its data as little-endian bytes (`raw_data`), as ONNX stores initializers. */
export interface TensorProto {
  /** The tensor's name (an initializer's name is the value name nodes refer to). */
  name: string;
  /** The element type. */
  dataType: DataType;
  /** The shape; `[]` for a scalar. */
  dims: readonly number[];
  /** The elements, little-endian, row-major. */
  rawData: Uint8Array;
}

/** One attribute of a node: a discriminated union on `type`. */
export type AttributeProto =
  | {
      /** The attribute's name, e.g. `strides`. */
      name: string;
      /** The attribute kind. */
      type: AttributeType.FLOAT;
      /** The value. */
      f: number;
    }
  | {
      /** The attribute's name, e.g. `strides`. */
      name: string;
      /** The attribute kind. */
      type: AttributeType.INT;
      /** The value (an integer). */
      i: number;
    }
  | {
      /** The attribute's name, e.g. `strides`. */
      name: string;
      /** The attribute kind. */
      type: AttributeType.STRING;
      /** The value. */
      s: string;
    }
  | {
      /** The attribute's name, e.g. `strides`. */
      name: string;
      /** The attribute kind. */
      type: AttributeType.TENSOR;
      /** The value. */
      t: TensorProto;
    }
  | {
      /** The attribute's name, e.g. `strides`. */
      name: string;
      /** The attribute kind. */
      type: AttributeType.FLOATS;
      /** The values. */
      floats: readonly number[];
    }
  | {
      /** The attribute's name, e.g. `strides`. */
      name: string;
      /** The attribute kind. */
      type: AttributeType.INTS;
      /** The values (integers). */
      ints: readonly number[];
    }
  | {
      /** The attribute's name, e.g. `strides`. */
      name: string;
      /** The attribute kind. */
      type: AttributeType.STRINGS;
      /** The values. */
      strings: readonly string[];
    };

/** A node of the graph: one operator call. */
export interface NodeProto {
  /** Value names read, in the operator's input order (`''` for an omitted optional input). */
  input: readonly string[];
  /** Value names written. */
  output: readonly string[];
  /** A unique node name (for messages and tools). */
  name: string;
  /** The operator, e.g. `Conv`. */
  opType: string;
  /** The operator's domain; `''` is the default ONNX domain. */
  domain: string;
  /** The attributes. */
  attribute: readonly AttributeProto[];
}

/** One dimension of a shape: a fixed size, or a named symbolic one (e.g. the batch). */
export type Dimension =
  | {
      /** The size. */
      dimValue: number;
    }
  | {
      /** The symbol's name, e.g. `batch`. */
      dimParam: string;
    };

/** A named value with its tensor type: a graph input, output, or an intermediate's shape. */
export interface ValueInfoProto {
  /** The value name. */
  name: string;
  /** The element type. */
  elemType: DataType;
  /** The dimensions. */
  shape: readonly Dimension[];
}

/** A graph: nodes in topological order, weights, and typed inputs and outputs. */
export interface GraphProto {
  /** The graph's name. */
  name: string;
  /** Nodes, each after the nodes producing its inputs. */
  node: readonly NodeProto[];
  /** Constant tensors (the weights). */
  initializer: readonly TensorProto[];
  /** The graph inputs (not including initializers). */
  input: readonly ValueInfoProto[];
  /** The graph outputs. */
  output: readonly ValueInfoProto[];
  /** Known types and shapes of intermediate values. */
  valueInfo: readonly ValueInfoProto[];
}

/** An opset a model uses: domain and version. */
export interface OperatorSetIdProto {
  /** `''` for the default ONNX domain. */
  domain: string;
  /** The opset version. */
  version: number;
}

/** A whole model file. */
export interface ModelProto {
  /** The IR version (`IR_VERSION`). */
  irVersion: number;
  /** The opsets the graph's nodes use. */
  opsetImport: readonly OperatorSetIdProto[];
  /** The tool that wrote the file. */
  producerName: string;
  /** Its version. */
  producerVersion: string;
  /** A free-text description. */
  docString: string;
  /** The graph. */
  graph: GraphProto;
  /** Free key/value metadata (`metadata_props`). */
  metadataProps: readonly {
    /** The entry's key. */
    key: string;
    /** Its value. */
    value: string;
  }[];
}

/** Field numbers of the messages above, from `onnx.proto`. */
export const Field = {
  Model: {
    irVersion: 1,
    producerName: 2,
    producerVersion: 3,
    docString: 6,
    graph: 7,
    opsetImport: 8,
    metadataProps: 14,
  },
  OperatorSetId: { domain: 1, version: 2 },
  StringStringEntry: { key: 1, value: 2 },
  Graph: { node: 1, name: 2, initializer: 5, input: 11, output: 12, valueInfo: 13 },
  Node: { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 },
  Attribute: { name: 1, f: 2, i: 3, s: 4, t: 5, floats: 7, ints: 8, strings: 9, type: 20 },
  Tensor: { dims: 1, dataType: 2, name: 8, rawData: 9 },
  ValueInfo: { name: 1, type: 2 },
  Type: { tensorType: 1 },
  TypeTensor: { elemType: 1, shape: 2 },
  TensorShape: { dim: 1 },
  Dimension: { dimValue: 1, dimParam: 2 },
} as const;
