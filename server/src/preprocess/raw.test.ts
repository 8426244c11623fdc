import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { crc32 } from 'node:zlib';
import { flattenModel, identityModel, testServer, type TestServer } from '../testing.js';
import { rawInputRequest } from './index.js';
import type { InferResponse } from '../deployment.js';
import type { ErrorBody } from '../errors.js';
import type { ImageSpec } from './image.js';
import type { DeploymentInfo } from '../service.js';

/** A solid 6×4 image in `format`, RGB. */
const solid = (format: 'png' | 'jpeg' | 'webp', rgb: [number, number, number]) =>
  sharp({ create: { width: 6, height: 4, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .toFormat(format)
    .toBuffer();

/** A PNG whose header declares `width × height` pixels: what a decompression bomb looks like to the decoder. */
async function bomb(width: number, height: number): Promise<Buffer> {
  const png = Buffer.from(
    await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } })
      .png()
      .toBuffer(),
  );
  // IHDR's data starts at byte 16 (8 signature, 4 length, 4 type); its CRC covers type and data (bytes 12..29).
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

describe('infer with parameters.lepton_preprocess on a version with a raw image input', () => {
  let s: TestServer;
  const deploy = (name: string, model: Buffer, meta: Record<string, unknown>) =>
    s.app.inject({
      method: 'POST',
      url: '/lepton/v1/deployments',
      headers: s.auth,
      payload: { name, model: model.toString('base64'), meta },
    });
  const infer = (name: string, body: unknown) =>
    s.app.inject({ method: 'POST', url: `/v2/models/${name}/infer`, payload: body as object });

  before(async () => {
    s = await testServer();
    // The flatten model answers with the pixels it was fed: a 1×1 RGB image gives its three channel values.
    const created = await deploy('colour', flattenModel([1, 1, 3]), {
      rawInput: { kind: 'image', size: [1, 1], channels: 3 },
      classes: ['red', 'green', 'blue'],
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.deepEqual(created.json<DeploymentInfo>().meta!.rawInput, {
      kind: 'image',
      size: [1, 1],
      channels: 3,
      fit: 'cover',
    });
  });
  after(() => s.close());

  it('decodes base64 image files of each format, scales pixels into [0, 1] and labels each row with its class name', async () => {
    const files = await Promise.all([
      solid('png', [255, 0, 0]),
      solid('jpeg', [0, 255, 0]),
      solid('webp', [0, 0, 255]),
    ]);
    const r = await infer(
      'colour',
      rawInputRequest(
        'image',
        files.map((f) => f.toString('base64')),
      ),
    );
    assert.equal(r.statusCode, 200, r.body);
    const [pixels, labels] = r.json<InferResponse>().outputs;
    assert.deepEqual(pixels!.shape, [3, 3]);
    const rounded = (pixels!.data as number[]).map((v) => Math.round(v * 10) / 10);
    assert.deepEqual(rounded, [1, 0, 0, 0, 1, 0, 0, 0, 1]);
    assert.deepEqual(labels, { name: 'label', datatype: 'BYTES', shape: [3], data: ['red', 'green', 'blue'] });
  });

  it('answers a corrupt image with a 400 naming its index and listing it in details, so the others can be sent again', async () => {
    const good = (await solid('png', [0, 0, 255])).toString('base64');
    const text = Buffer.from('hello, not an image').toString('base64');
    const truncated = (await solid('jpeg', [0, 255, 0])).subarray(0, 40).toString('base64');
    const r = await infer('colour', rawInputRequest('image', [good, text, good, truncated]));
    assert.equal(r.statusCode, 400, r.body);
    assert.equal(r.json<ErrorBody>().code, 'LEPTON_BAD_IMAGE');
    assert.deepEqual(r.json<ErrorBody>().details, { indexes: [1, 3] });
    assert.match(r.json<ErrorBody>().error, /Images 1 \(.+\), 3 \(.+\) of the 4 in the request could not be decoded/);
    const again = await infer('colour', rawInputRequest('image', [good, good]));
    assert.deepEqual(again.json<InferResponse>().outputs[1]!.data, ['blue', 'blue']);
  });

  it('refuses an image declaring more pixels than the decompression-bomb limit without decoding it', async () => {
    const r = await infer('colour', rawInputRequest('image', [(await bomb(20_000, 20_000)).toString('base64')]));
    assert.equal(r.statusCode, 400, r.body);
    assert.equal(r.json<ErrorBody>().code, 'LEPTON_BAD_IMAGE');
    assert.match(r.json<ErrorBody>().error, /Image 0 \(.*pixel limit.*\)/);
  });

  it('answers a request body over the size limit with 413', async () => {
    const small = await testServer({ bodyLimit: 4096 });
    try {
      assert.equal(
        (
          await small.app.inject({
            method: 'POST',
            url: '/lepton/v1/deployments',
            headers: small.auth,
            payload: {
              name: 'c',
              model: flattenModel([1, 1, 3]).toString('base64'),
              meta: { rawInput: { kind: 'image', size: [1, 1] } },
            },
          })
        ).statusCode,
        201,
      );
      const r = await small.app.inject({
        method: 'POST',
        url: '/v2/models/c/infer',
        payload: rawInputRequest('image', ['A'.repeat(8000)]),
      });
      assert.equal(r.statusCode, 413, r.body);
      assert.equal(r.json<ErrorBody>().code, 'LEPTON_BODY_TOO_LARGE');
    } finally {
      await small.close();
    }
  });

  it('lists the label output in the model metadata and returns it when asked for by name', async () => {
    const meta = (await s.app.inject('/v2/models/colour')).json<{
      outputs: { name: string; datatype: string; shape: number[] }[];
    }>();
    assert.deepEqual(meta.outputs.at(-1), { name: 'label', datatype: 'BYTES', shape: [-1] });
    const r = await infer('colour', {
      ...rawInputRequest('image', [(await solid('png', [0, 255, 0])).toString('base64')]),
      outputs: [{ name: 'label' }],
    });
    assert.deepEqual(r.json<InferResponse>().outputs, [
      { name: 'label', datatype: 'BYTES', shape: [1], data: ['green'] },
    ]);
  });

  it('labels tensor requests too, and carries the raw input and class names over on redeploy', async () => {
    const r = await infer('colour', {
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 1, 1, 3], data: [0.1, 0.2, 0.9] }],
    });
    assert.deepEqual(r.json<InferResponse>().outputs[1]!.data, ['blue']);
    const again = await s.app.inject({
      method: 'POST',
      url: '/lepton/v1/deployments/colour/redeploy',
      headers: s.auth,
      payload: {},
    });
    assert.equal(again.statusCode, 201, again.body);
    assert.deepEqual(
      [again.json<DeploymentInfo>().meta!.classes, (again.json<DeploymentInfo>().meta!.rawInput as ImageSpec).size],
      [
        ['red', 'green', 'blue'],
        [1, 1],
      ],
    );
  });

  const refusals: Array<{ title: string; model: () => Buffer; meta: Record<string, unknown>; message: RegExp }> = [
    {
      title: 'an unknown kind',
      model: () => flattenModel([1, 1, 3]),
      meta: { rawInput: { kind: 'audio' } },
      message: /rawInput must be an object with a "kind" the server preprocesses \(image, text\)/,
    },
    {
      title: 'a size the model does not take',
      model: () => flattenModel([1, 1, 3]),
      meta: { rawInput: { kind: 'image', size: [2, 2] } },
      message: /makes 2×2×3 images, but the model's input "x" is FP32 \[-1, 1, 1, 3\]/,
    },
    {
      title: 'a bad fit',
      model: () => flattenModel([1, 1, 3]),
      meta: { rawInput: { kind: 'image', size: [1, 1], fit: 'stretch' } },
      message: /rawInput.fit must be one of cover, contain, fill/,
    },
    {
      title: 'class names that do not match the output',
      model: () => identityModel(4),
      meta: { classes: ['a', 'b', 'c'] },
      message: /classes \(3\) label a model with one FP32 output \[batch, 3\]; this model has "y" FP32 \[-1, 4\]/,
    },
    {
      title: 'a class named twice',
      model: () => identityModel(2),
      meta: { classes: ['a', 'a'] },
      message: /classes names "a" twice/,
    },
  ];
  for (const c of refusals) {
    it(`refuses at deploy ${c.title}`, async () => {
      const r = await deploy('refused', c.model(), c.meta);
      assert.equal(r.statusCode, 400, r.body);
      assert.equal(r.json<ErrorBody>().code, 'LEPTON_BAD_META');
      assert.match(r.json<ErrorBody>().error, c.message);
    });
  }

  it('answers a request that is not one BYTES images input with LEPTON_BAD_RAW_INPUT saying what to send', async () => {
    const r = await infer('colour', {
      parameters: { lepton_preprocess: true },
      inputs: [{ name: 'records', datatype: 'BYTES', shape: [1], data: ['x'] }],
    });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json<ErrorBody>().code, 'LEPTON_BAD_RAW_INPUT');
    assert.match(
      r.json<ErrorBody>().error,
      /Send one input \{ "name": "images", "datatype": "BYTES", "shape": \[n\], "data": \[n base64-encoded image files\] \}/,
    );
  });
});
