/**
 * Helpers for the server's tests: a temporary Lepton home, the fixture models, and an application on them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { ensureHome, homePaths, loadOrCreateToken } from './home.js';
import { Service } from './service.js';

/** The bytes of a fixture model in `server/fixtures/` (`mlp`, `add`, `gather`). */
export function fixture(name: 'mlp' | 'add' | 'gather'): Buffer {
  return readFileSync(fileURLToPath(new URL(`../fixtures/${name}.onnx`, import.meta.url)));
}

/**
 * The bytes of an ONNX model that returns its input: `x` FP32 `[N, width]` → `y` FP32 `[N, width]` (Identity,
 * opset 13), so a test reads back exactly the rows the server fed the model.
 */
export function identityModel(width: number): Buffer {
  return unaryModel('Identity', width);
}

/**
 * The bytes of an ONNX model applying one element-wise operator: `x` FP32 `[N, width]` → `y` FP32 `[N, width]`
 * (opset 13), e.g. `Sqrt`, which answers NaN for negative inputs.
 */
export function unaryModel(op: 'Identity' | 'Sqrt' | 'Log', width: number): Buffer {
  const node = pb.bytes(1, Buffer.concat([pb.bytes(1, 'x'), pb.bytes(2, 'y'), pb.bytes(4, op)]));
  return pb.model([node], op.toLowerCase(), [width], [width]);
}

/**
 * The bytes of an ONNX model that flattens its input: `x` FP32 `[N, ...shape]` → `y` FP32 `[N, product of shape]`
 * (Flatten, opset 13): fed images, it answers their pixels as the model saw them.
 */
export function flattenModel(shape: readonly number[]): Buffer {
  const node = pb.bytes(1, Buffer.concat([pb.bytes(1, 'x'), pb.bytes(2, 'y'), pb.bytes(4, 'Flatten')]));
  return pb.model([node], 'flatten', shape, [shape.reduce((a, b) => a * b, 1)]);
}

/** The few protobuf encoders the fixture models need (ONNX is protobuf): varints, ints and length-delimited fields. */
const pb = {
  varint(n: number): Buffer {
    const out: number[] = [];
    for (; n > 127; n = Math.floor(n / 128)) out.push((n % 128) | 128);
    return Buffer.from([...out, n]);
  },
  int(field: number, n: number): Buffer {
    return Buffer.concat([pb.varint(field << 3), pb.varint(n)]);
  },
  bytes(field: number, body: Buffer | string): Buffer {
    const b = typeof body === 'string' ? Buffer.from(body) : body;
    return Buffer.concat([pb.varint((field << 3) | 2), pb.varint(b.length), b]);
  },
  /** A ValueInfoProto: FP32 `[N, ...dims]`. */
  value(name: string, dims: readonly number[]): Buffer {
    const dim = (d: number | string) => pb.bytes(1, typeof d === 'number' ? pb.int(1, d) : pb.bytes(2, d));
    const shape = pb.bytes(2, Buffer.concat([dim('N'), ...dims.map((d) => dim(d))]));
    return Buffer.concat([pb.bytes(1, name), pb.bytes(2, pb.bytes(1, Buffer.concat([pb.int(1, 1), shape])))]);
  },
  /** A ValueInfoProto of ONNX element type `elemType` and exactly `dims` (a string is a symbolic dimension). */
  typed(name: string, elemType: number, dims: ReadonlyArray<number | string>): Buffer {
    const dim = (d: number | string) => pb.bytes(1, typeof d === 'number' ? pb.int(1, d) : pb.bytes(2, d));
    const shape = pb.bytes(2, Buffer.concat(dims.map((d) => dim(d))));
    return Buffer.concat([pb.bytes(1, name), pb.bytes(2, pb.bytes(1, Buffer.concat([pb.int(1, elemType), shape])))]);
  },
  /** A ModelProto (IR 8, opset 13) whose graph maps `x` FP32 `[N, ...input]` to `y` FP32 `[N, ...output]` through `nodes` (encoded, field 1). */
  model(
    nodes: Buffer[],
    name: string,
    input: readonly number[],
    output: readonly number[],
    initializers: Buffer[] = [],
  ): Buffer {
    const graph = Buffer.concat([
      ...nodes,
      pb.bytes(2, name),
      ...initializers.map((i) => pb.bytes(5, i)),
      pb.bytes(11, pb.value('x', input)),
      pb.bytes(12, pb.value('y', output)),
    ]);
    return Buffer.concat([
      pb.int(1, 8),
      pb.bytes(7, graph),
      pb.bytes(8, Buffer.concat([pb.bytes(1, ''), pb.int(2, 13)])),
    ]);
  },
};

/** ONNX element types of the tensors `wireModel` declares. */
const ONNX_TYPE = { FP32: 1, STRING: 8, BOOL: 9, FP16: 10, UINT32: 12 } as const;

/**
 * The bytes of an ONNX model (opset 13) with one tensor of each datatype family, for the binary tensor data
 * extension's tests, with fixed shapes as in the extension's example: `input0` UINT32 `[2, 2]` → `output0` FP32
 * `[2, 2]` (Cast), `input1` BOOL `[3]` → `output1` BOOL `[3]` (Not), `text` STRING `[2]` → `text_out` (Identity),
 * `half` FP16 `[2, 2]` → `half_out` (Identity).
 */
export function wireModel(): Buffer {
  const node = (op: string, input: string, output: string, attributes: Buffer[] = []) =>
    pb.bytes(
      1,
      Buffer.concat([
        pb.bytes(1, input),
        pb.bytes(2, output),
        pb.bytes(4, op),
        ...attributes.map((a) => pb.bytes(5, a)),
      ]),
    );
  // AttributeProto: name (1), i (3), type (20, INT = 2).
  const castTo = Buffer.concat([pb.bytes(1, 'to'), pb.int(3, ONNX_TYPE.FP32), pb.int(20, 2)]);
  const nodes = [
    node('Cast', 'input0', 'output0', [castTo]),
    node('Not', 'input1', 'output1'),
    node('Identity', 'text', 'text_out'),
    node('Identity', 'half', 'half_out'),
  ];
  const inputs = [
    pb.typed('input0', ONNX_TYPE.UINT32, [2, 2]),
    pb.typed('input1', ONNX_TYPE.BOOL, [3]),
    pb.typed('text', ONNX_TYPE.STRING, [2]),
    pb.typed('half', ONNX_TYPE.FP16, [2, 2]),
  ];
  const outputs = [
    pb.typed('output0', ONNX_TYPE.FP32, [2, 2]),
    pb.typed('output1', ONNX_TYPE.BOOL, [3]),
    pb.typed('text_out', ONNX_TYPE.STRING, [2]),
    pb.typed('half_out', ONNX_TYPE.FP16, [2, 2]),
  ];
  const graph = Buffer.concat([
    ...nodes,
    pb.bytes(2, 'wire'),
    ...inputs.map((i) => pb.bytes(11, i)),
    ...outputs.map((o) => pb.bytes(12, o)),
  ]);
  return Buffer.concat([
    pb.int(1, 8),
    pb.bytes(7, graph),
    pb.bytes(8, Buffer.concat([pb.bytes(1, ''), pb.int(2, 13)])),
  ]);
}

/** A new temporary Lepton home. */
export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), 'lepton-home-'));
}

/** An application on a fresh temporary home, with its service and token; `close` removes everything. */
export interface TestServer {
  app: FastifyInstance;
  service: Service;
  token: string;
  home: string;
  auth: { authorization: string };
  close(): Promise<void>;
}

/** Builds a test application (models run inline unless `workers` says otherwise). */
export async function testServer(
  options: { home?: string; workers?: number; bodyLimit?: number } = {},
): Promise<TestServer> {
  const home = options.home ?? tempHome();
  const paths = homePaths(home);
  ensureHome(paths);
  const token = loadOrCreateToken(paths);
  const service = new Service(paths, { workers: options.workers ?? 0 });
  await service.restore();
  const app = await buildApp({ service, token, bodyLimit: options.bodyLimit, report: () => {} });
  return {
    app,
    service,
    token,
    home,
    auth: { authorization: `Bearer ${token}` },
    async close() {
      await app.close();
      await service.close();
      if (!options.home) rmSync(home, { recursive: true, force: true });
    },
  };
}

/**
 * The bytes of a deliberately slow ONNX model: `x` FP32 `[N, width]` → `y` FP32 `[N, width]` through `depth`
 * MatMuls with one `[width, width]` weight of 1/width (values stay bounded), so a run of one row costs
 * width² × depth multiply-adds (1024 × 1024 × 48 ≈ 50 M, tens of milliseconds on one core): a model that
 * overload and swap tests can keep busy with small requests.
 */
export function slowModel(width = 1024, depth = 48): Buffer {
  const weights = Buffer.alloc(width * width * 4);
  for (let i = 0; i < width * width; i++) weights.writeFloatLE(1 / width, i * 4);
  // TensorProto: dims (1), data_type (2, FLOAT = 1), name (8), raw_data (9).
  const initializer = Buffer.concat([
    pb.int(1, width),
    pb.int(1, width),
    pb.int(2, 1),
    pb.bytes(8, 'w'),
    pb.bytes(9, weights),
  ]);
  const nodes: Buffer[] = [];
  for (let i = 0; i < depth; i++) {
    const input = i === 0 ? 'x' : `h${i}`;
    const output = i === depth - 1 ? 'y' : `h${i + 1}`;
    nodes.push(
      pb.bytes(1, Buffer.concat([pb.bytes(1, input), pb.bytes(1, 'w'), pb.bytes(2, output), pb.bytes(4, 'MatMul')])),
    );
  }
  return pb.model(nodes, 'slow', [width], [width], [initializer]);
}
