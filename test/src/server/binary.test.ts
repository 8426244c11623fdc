// The binary tensor data extension through the real server process over HTTP. Every body is built byte for byte as
// the extension's published specification lays it out (Triton's `extension_binary_data.md`): the JSON object, then
// each binary tensor's bytes in the order the tensors appear, `Inference-Header-Content-Length` giving the JSON's
// length; elements little-endian, BOOL one byte, BYTES a 4-byte little-endian length then the bytes. The expected
// bytes are written out here with DataView, not with the server's own encoder, so the two cannot agree by accident.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureServer, stopServer, type RunningServer } from '@lepton/server';
// The server's test helpers are not part of its published package: the workspace reaches them by path.
import { wireModel } from '../../../server/dist/testing.js';
import type { InferAnswer } from '../support/infer-answer.js';

const require = createRequire(import.meta.url);
const serverDir = dirname(dirname(require.resolve('@lepton/server')));
const home = mkdtempSync(join(tmpdir(), 'lepton-binary-it-'));

/** Little-endian bytes written element by element, the way the specification describes them. */
function bytes(write: (view: DataView) => void, length: number): Uint8Array {
  const out = new Uint8Array(length);
  write(new DataView(out.buffer));
  return out;
}
const uint32s = (values: number[]) =>
  bytes((v) => {
    values.forEach((x, i) => {
      v.setUint32(i * 4, x, true);
    });
  }, values.length * 4);
const float32s = (values: number[]) =>
  bytes((v) => {
    values.forEach((x, i) => {
      v.setFloat32(i * 4, x, true);
    });
  }, values.length * 4);
const uint16s = (values: number[]) =>
  bytes((v) => {
    values.forEach((x, i) => {
      v.setUint16(i * 2, x, true);
    });
  }, values.length * 2);
const bools = (values: boolean[]) => Uint8Array.from(values, (b) => (b ? 1 : 0));
/** BYTES elements: a 4-byte little-endian length, then the UTF-8 bytes. */
function strings(values: string[]): Uint8Array {
  const parts = values.map((s) => Buffer.from(s, 'utf8'));
  const out = Buffer.alloc(parts.reduce((n, p) => n + 4 + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.writeUInt32LE(p.length, at);
    p.copy(out, at + 4);
    at += 4 + p.length;
  }
  return out;
}

interface Raw {
  status: number;
  headers: Headers;
  body: Buffer;
}

/** POSTs `json` followed by `chunks`, with the header giving the JSON's length (or `headerLength` as given). */
async function postBinary(
  url: string,
  json: object,
  chunks: Uint8Array[],
  options: { headerLength?: string; contentType?: string | null } = {},
): Promise<Raw> {
  const head = Buffer.from(JSON.stringify(json), 'utf8');
  const headers: Record<string, string> = {
    'inference-header-content-length': options.headerLength ?? String(head.length),
  };
  if (options.contentType !== null) headers['content-type'] = options.contentType ?? 'application/octet-stream';
  const response = await fetch(url, { method: 'POST', headers, body: Buffer.concat([head, ...chunks]) });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

/** The JSON part and the binary part of an answer, split at its `Inference-Header-Content-Length`. */
function split(raw: Raw): { json: InferAnswer; binary: Buffer } {
  const length = Number(raw.headers.get('inference-header-content-length'));
  assert.ok(
    Number.isInteger(length) && length > 0 && length <= raw.body.length,
    `Inference-Header-Content-Length ${length} of a ${raw.body.length}-byte body`,
  );
  return {
    json: JSON.parse(raw.body.subarray(0, length).toString('utf8')) as InferAnswer,
    binary: raw.body.subarray(length),
  };
}

describe('the binary tensor data extension', () => {
  let server: RunningServer;
  let url: string;
  before(async () => {
    server = await ensureServer({ home, port: 0, workers: 1, timeoutMs: 20_000 });
    await server.client.deploy('wire', wireModel());
    await server.client.deploy('mlp', readFileSync(join(serverDir, 'fixtures', 'mlp.onnx')));
    url = `${server.info.url}/v2/models/wire/infer`;
  });
  after(async () => {
    await stopServer({ home, timeoutMs: 5000 }).catch(() => false);
    rmSync(home, { recursive: true, force: true });
  });

  test('GET /v2 lists binary_tensor_data among the extensions, and metadata shows FP16 and BYTES tensors', async () => {
    const meta = (await (await fetch(`${server.info.url}/v2`)).json()) as { extensions: string[] };
    assert.ok(meta.extensions.includes('binary_tensor_data'));
    const model = (await (await fetch(`${server.info.url}/v2/models/wire`)).json()) as {
      inputs: Array<{ name: string; datatype: string; shape: number[] }>;
    };
    assert.deepEqual(
      model.inputs.map((i) => [i.name, i.datatype, i.shape]),
      [
        ['input0', 'UINT32', [2, 2]],
        ['input1', 'BOOL', [3]],
        ['text', 'BYTES', [2]],
        ['half', 'FP16', [2, 2]],
      ],
    );
  });

  test("the specification's example: binary UINT32 and BOOL inputs beside JSON ones, binary and JSON outputs", async () => {
    // As in the specification: input0 UINT32 [2, 2] (16 bytes) and input1 BOOL [3] (3 bytes) as binary data, 19 bytes
    // after the JSON; here two JSON inputs ride along (mixed), and outputs are asked one by one.
    const request = {
      inputs: [
        { name: 'input0', shape: [2, 2], datatype: 'UINT32', parameters: { binary_data_size: 16 } },
        { name: 'text', shape: [2], datatype: 'BYTES', data: ['héllo', ''] },
        { name: 'input1', shape: [3], datatype: 'BOOL', parameters: { binary_data_size: 3 } },
        {
          name: 'half',
          shape: [2, 2],
          datatype: 'FP16',
          data: [
            [1.5, -2],
            [0.5, 1024],
          ],
        },
      ],
      outputs: [
        { name: 'output0', parameters: { binary_data: true } },
        { name: 'output1' },
        { name: 'text_out', parameters: { binary_data: true } },
        { name: 'half_out', parameters: { binary_data: true } },
      ],
    };
    const raw = await postBinary(url, request, [uint32s([1, 2, 3, 4000000000]), bools([true, false, true])]);
    assert.equal(raw.status, 200, raw.body.toString());
    assert.equal(raw.headers.get('content-type'), 'application/octet-stream');
    const { json, binary } = split(raw);
    assert.deepEqual(json.outputs, [
      { name: 'output0', datatype: 'FP32', shape: [2, 2], parameters: { binary_data_size: 16 } },
      { name: 'output1', datatype: 'BOOL', shape: [3], data: [false, true, false] },
      { name: 'text_out', datatype: 'BYTES', shape: [2], parameters: { binary_data_size: 4 + 6 + 4 } },
      { name: 'half_out', datatype: 'FP16', shape: [2, 2], parameters: { binary_data_size: 8 } },
    ]);
    // 1.5, -2, 0.5 and 1024 are 0x3E00, 0xC000, 0x3800 and 0x6400 in IEEE half precision.
    const expected = Buffer.concat([
      float32s([1, 2, 3, 4000000000]),
      strings(['héllo', '']),
      uint16s([0x3e00, 0xc000, 0x3800, 0x6400]),
    ]);
    assert.deepEqual(binary, expected);
  });

  test('every input as binary (FP16 and BYTES too), every output binary with binary_data_output, one overridden to JSON', async () => {
    const request = {
      parameters: { binary_data_output: true },
      inputs: [
        { name: 'input0', shape: [2, 2], datatype: 'UINT32', parameters: { binary_data_size: 16 } },
        { name: 'input1', shape: [3], datatype: 'BOOL', parameters: { binary_data_size: 3 } },
        { name: 'text', shape: [2], datatype: 'BYTES', parameters: { binary_data_size: 4 + 1 + 4 + 4 } },
        { name: 'half', shape: [2, 2], datatype: 'FP16', parameters: { binary_data_size: 8 } },
      ],
      outputs: [
        { name: 'output0' },
        { name: 'output1', parameters: { binary_data: false } },
        { name: 'text_out' },
        { name: 'half_out' },
      ],
    };
    // FP16 0x7BFF is 65504 (the largest half), 0x0001 the smallest subnormal, 0x8000 is -0.
    const halves = [0x3c00, 0x7bff, 0x0001, 0x8000];
    const raw = await postBinary(
      url,
      request,
      [uint32s([0, 7, 8, 9]), bools([false, false, true]), strings(['a', 'día']), uint16s(halves)],
      { contentType: null },
    );
    assert.equal(raw.status, 200, raw.body.toString());
    const { json, binary } = split(raw);
    assert.deepEqual(
      json.outputs!.map((o) => [o.name, o.parameters?.binary_data_size, o.data]),
      [
        ['output0', 16, undefined],
        ['output1', undefined, [true, true, false]],
        ['text_out', 13, undefined],
        ['half_out', 8, undefined],
      ],
    );
    assert.deepEqual(binary, Buffer.concat([float32s([0, 7, 8, 9]), strings(['a', 'día']), uint16s(halves)]));
  });

  test('JSON FP16 and BYTES tensors: FP16 numbers come back rounded to half precision', async () => {
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        inputs: [
          { name: 'input0', shape: [2, 2], datatype: 'UINT32', data: [1, 2, 3, 4] },
          { name: 'input1', shape: [3], datatype: 'BOOL', data: [true, true, true] },
          { name: 'text', shape: [2], datatype: 'BYTES', data: ['ok', ''] },
          { name: 'half', shape: [2, 2], datatype: 'FP16', data: [0.1, 65504, 1, -2] },
        ],
      }),
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('inference-header-content-length'), null);
    const json = (await r.json()) as { outputs: Array<{ name: string; data: unknown[] }> };
    const out = Object.fromEntries(json.outputs.map((o) => [o.name, o.data]));
    assert.deepEqual(out.text_out, ['ok', '']);
    // 0.1 is not a half: the nearest is 0x2E66 = 0.0999755859375.
    assert.deepEqual(out.half_out, [0.0999755859375, 65504, 1, -2]);
  });

  test('bad binary bodies are coded 400s, and the server stays healthy', async () => {
    const inputs = (size0: number) => [
      { name: 'input0', shape: [2, 2], datatype: 'UINT32', parameters: { binary_data_size: size0 } },
      { name: 'input1', shape: [3], datatype: 'BOOL', data: [true, false, true] },
      { name: 'text', shape: [2], datatype: 'BYTES', data: ['x', 'y'] },
      { name: 'half', shape: [2, 2], datatype: 'FP16', data: [1, 2, 3, 4] },
    ];
    const cases: Array<[string, () => Promise<Raw>, string]> = [
      [
        'a size that does not fit the shape',
        () => postBinary(url, { inputs: inputs(12) }, [uint32s([1, 2, 3])]),
        'LEPTON_BAD_BINARY_SIZE',
      ],
      [
        'more bytes than the sizes declare',
        () => postBinary(url, { inputs: inputs(16) }, [uint32s([1, 2, 3, 4, 5])]),
        'LEPTON_BAD_BINARY_SIZE',
      ],
      [
        'fewer bytes than the sizes declare',
        () => postBinary(url, { inputs: inputs(16) }, [uint32s([1, 2])]),
        'LEPTON_BAD_BINARY_SIZE',
      ],
      [
        'a header length past the body',
        () => postBinary(url, { inputs: inputs(16) }, [uint32s([1, 2, 3, 4])], { headerLength: '100000' }),
        'LEPTON_BAD_HEADER_LENGTH',
      ],
      [
        'a header length that is not a number',
        () => postBinary(url, { inputs: inputs(16) }, [uint32s([1, 2, 3, 4])], { headerLength: '12abc' }),
        'LEPTON_BAD_HEADER_LENGTH',
      ],
      [
        'a header length cutting the JSON short',
        () => postBinary(url, { inputs: inputs(16) }, [uint32s([1, 2, 3, 4])], { headerLength: '20' }),
        'LEPTON_BAD_JSON',
      ],
      [
        'a negative binary_data_size',
        () => postBinary(url, { inputs: inputs(-16) }, [uint32s([1, 2, 3, 4])]),
        'LEPTON_BAD_BINARY_SIZE',
      ],
      [
        'both data and binary_data_size',
        () =>
          postBinary(url, { inputs: [{ ...inputs(16)[0], data: [1, 2, 3, 4] }, ...inputs(16).slice(1)] }, [
            uint32s([1, 2, 3, 4]),
          ]),
        'LEPTON_BAD_REQUEST',
      ],
      [
        'neither data nor binary_data_size',
        () =>
          postBinary(
            url,
            { inputs: [{ name: 'input0', shape: [2, 2], datatype: 'UINT32' }, ...inputs(16).slice(1)] },
            [],
          ),
        'LEPTON_BAD_REQUEST',
      ],
      [
        'a BYTES length past the tensor',
        () =>
          postBinary(
            url,
            {
              inputs: [
                ...inputs(16).slice(0, 2),
                { name: 'text', shape: [2], datatype: 'BYTES', parameters: { binary_data_size: 6 } },
                inputs(16)[3],
              ],
            },
            [
              uint32s([1, 2, 3, 4]),
              bytes((v) => {
                v.setUint32(0, 9, true);
              }, 6),
            ],
          ),
        'LEPTON_BAD_BINARY_DATA',
      ],
      [
        'BYTES elements that are not UTF-8',
        () =>
          postBinary(
            url,
            {
              inputs: [
                ...inputs(16).slice(0, 2),
                { name: 'text', shape: [2], datatype: 'BYTES', parameters: { binary_data_size: 10 } },
                inputs(16)[3],
              ],
            },
            [uint32s([1, 2, 3, 4]), Uint8Array.from([2, 0, 0, 0, 0xff, 0xfe, 0, 0, 0, 0])],
          ),
        'LEPTON_BAD_BINARY_DATA',
      ],
      [
        'a BOOL byte other than 0 or 1',
        () =>
          postBinary(
            url,
            {
              inputs: [
                inputs(16)[0],
                { name: 'input1', shape: [3], datatype: 'BOOL', parameters: { binary_data_size: 3 } },
                ...inputs(16).slice(2),
              ],
            },
            [uint32s([1, 2, 3, 4]), Uint8Array.from([0, 2, 1])],
          ),
        'LEPTON_BAD_VALUE',
      ],
      [
        'an FP16 infinity',
        () =>
          postBinary(
            url,
            {
              inputs: [
                ...inputs(16).slice(0, 3),
                { name: 'half', shape: [2, 2], datatype: 'FP16', parameters: { binary_data_size: 8 } },
              ],
            },
            [uint32s([1, 2, 3, 4]), uint16s([0x3c00, 0x7c00, 0, 0])],
          ),
        'LEPTON_BAD_VALUE',
      ],
      [
        'binary_data that is not a boolean',
        () =>
          postBinary(url, { inputs: inputs(16), outputs: [{ name: 'output0', parameters: { binary_data: 'yes' } }] }, [
            uint32s([1, 2, 3, 4]),
          ]),
        'LEPTON_BAD_REQUEST',
      ],
      [
        'a text body',
        async () => {
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'text/plain' },
            body: 'hello',
          });
          return {
            status: response.status,
            headers: response.headers,
            body: Buffer.from(await response.arrayBuffer()),
          };
        },
        'LEPTON_BAD_CONTENT_TYPE',
      ],
    ];
    for (const [what, send, code] of cases) {
      const raw = await send();
      const json = JSON.parse(raw.body.toString('utf8')) as { code: string; error: string };
      assert.equal(json.code, code, `${what}: ${raw.status} ${json.error}`);
      assert.equal(raw.status, code === 'LEPTON_BAD_CONTENT_TYPE' ? 415 : 400, what);
      assert.ok(json.error.length > 20, what);
    }
    assert.equal((await fetch(`${server.info.url}/v2/health/ready`)).status, 200);
  });

  test('ServerClient sends binary inputs and reads binary outputs: the same numbers as JSON, bit for bit', async () => {
    const rows = 8;
    const x = Float32Array.from({ length: rows * 784 }, (_, i) => ((i * 7919) % 1000) / 1000);
    const viaJson = await server.client.infer('mlp', {
      inputs: [{ name: 'x', shape: [rows, 784], datatype: 'FP32', data: Array.from(x) }],
    });
    const viaBinary = await server.client.infer('mlp', {
      parameters: { binary_data_output: true },
      inputs: [
        {
          name: 'x',
          shape: [rows, 784],
          datatype: 'FP32',
          parameters: { binary_data_size: x.byteLength },
          binary: new Uint8Array(x.buffer),
        },
      ],
    });
    const output = viaBinary.outputs[0]!;
    assert.equal(output.data, undefined);
    assert.equal(output.parameters?.binary_data_size, rows * 10 * 4);
    const values = new Float32Array(output.binary!.slice().buffer);
    assert.deepEqual(Array.from(values), viaJson.outputs[0]!.data);
  });
});
