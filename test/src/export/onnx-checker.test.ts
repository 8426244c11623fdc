// Models exported by lepton.export.onnx pass the reference ONNX checker (Python `onnx`, full check with shape
// inference), and run in onnxruntime-node from their sidecar's input and output names.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as lepton from '@lepton/lib';
import { requireVenv } from '../support/project.js';
import { KernelClient, resultData } from '../support/kernel-client.js';

const dir = mkdtempSync(join(tmpdir(), 'lepton-onnx-check-'));

/** Models covering every converter family. */
const models: Record<string, () => tf.LayersModel> = {
  cnn: () =>
    tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
        tf.layers.batchNormalization(),
        tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same' }),
        tf.layers.separableConv2d({ filters: 6, kernelSize: 3, activation: 'gelu' }),
        tf.layers.averagePooling2d({ poolSize: 2, padding: 'same' }),
        tf.layers.flatten(),
        tf.layers.dropout({ rate: 0.2 }),
        tf.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    }),
  text: () => {
    const tokens = tf.input({ shape: [7], name: 'tokens' });
    const e = tf.layers.embedding({ inputDim: 50, outputDim: 8 }).apply(tokens) as tf.SymbolicTensor;
    const c = tf.layers.conv1d({ filters: 8, kernelSize: 3, padding: 'same' }).apply(e) as tf.SymbolicTensor;
    const n = tf.layers.layerNormalization().apply(c) as tf.SymbolicTensor;
    const l = tf.layers.lstm({ units: 6, returnSequences: true }).apply(n) as tf.SymbolicTensor;
    const g = tf.layers.gru({ units: 5 }).apply(l) as tf.SymbolicTensor;
    const pooled = tf.layers.globalMaxPooling1d({}).apply(n) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate().apply([g, pooled]) as tf.SymbolicTensor;
    return tf.model({
      inputs: tokens,
      outputs: tf.layers.dense({ units: 2, activation: 'sigmoid' }).apply(joined) as tf.SymbolicTensor,
    });
  },
  twoHeads: () => {
    const a = tf.input({ shape: [6], name: 'a' });
    const b = tf.input({ shape: [6], name: 'b' });
    const sum = tf.layers
      .add()
      .apply([
        tf.layers.dense({ units: 4 }).apply(a),
        tf.layers.dense({ units: 4 }).apply(b),
      ] as tf.SymbolicTensor[]) as tf.SymbolicTensor;
    const prod = tf.layers
      .multiply()
      .apply([
        sum,
        tf.layers.dense({ units: 4, activation: 'mish' }).apply(b),
      ] as tf.SymbolicTensor[]) as tf.SymbolicTensor;
    return tf.model({
      inputs: [a, b],
      outputs: [
        tf.layers.dense({ units: 3, name: 'left' }).apply(prod) as tf.SymbolicTensor,
        tf.layers.reshape({ targetShape: [2, 2] }).apply(sum) as tf.SymbolicTensor,
      ],
    });
  },
};

const checker = `
import sys, onnx
for path in sys.argv[1:]:
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    print("ok", path, "opset", model.opset_import[0].version, "ir", model.ir_version)
`;

describe('exported ONNX files', () => {
  const exported: Record<string, Awaited<ReturnType<typeof lepton.export.onnx>>> = {};

  before(async () => {
    await tf.setBackend('cpu');
    for (const [name, build] of Object.entries(models))
      exported[name] = await lepton.export.onnx(build(), join(dir, `${name}.onnx`));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('pass onnx.checker.check_model with full_check', () => {
    const python = requireVenv();
    const probe = spawnSync(python, ['-c', 'import onnx'], { encoding: 'utf8' });
    assert.equal(
      probe.status,
      0,
      `Python onnx is missing from ${python} (it is in requirements.txt): run \`node kernel/bin/lepton.js setup\`.\n${probe.stderr}`,
    );
    const paths = Object.values(exported).map((e) => e.path!);
    const run = spawnSync(python, ['-c', checker, ...paths], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(
      run.stdout
        .trim()
        .split('\n')
        .filter((l) => /^ok .* opset 17 ir 8$/.test(l)).length,
      paths.length,
      run.stdout,
    );
  });

  test('run in onnxruntime-node using only the sidecar file', async () => {
    const ort = await import('onnxruntime-node');
    for (const result of Object.values(exported)) {
      const meta = lepton.export.readMeta(result.metaPath!);
      const session = await ort.InferenceSession.create(join(dir, meta.model));
      const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
      for (const input of meta.inputs) {
        const shape = input.shape.map((d) => d ?? 1);
        const n = shape.reduce((a, b) => a * b, 1);
        feeds[input.name] = new ort.Tensor('float32', new Float32Array(n).fill(input.indexRange ? 3 : 0.5), shape);
      }
      const out = await session.run(feeds);
      assert.deepEqual(Object.keys(out).sort(), meta.outputs.map((o) => o.name).sort());
      for (const o of meta.outputs)
        assert.deepEqual(
          out[o.name]!.dims,
          o.shape.map((d) => d ?? 1),
        );
      await session.release();
    }
  });
});

describe('lepton.export in the Lepton kernel', () => {
  test('a cell exports to ONNX, shows the summary, and lepton.load reads back export.tfjs', async () => {
    const kernel = await KernelClient.start();
    const folder = mkdtempSync(join(tmpdir(), 'lepton-kernel-export-'));
    try {
      const code = [
        'const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });',
        `const exported = await lepton.export.onnx(m, ${JSON.stringify(join(folder, 'm.onnx'))});`,
        `await lepton.export.tfjs(m, ${JSON.stringify(join(folder, 'tfjs'))});`,
        `const again = await lepton.load(${JSON.stringify(join(folder, 'tfjs'))});`,
        'console.log("same:", String((again.predict(tf.ones([1, 3])) as tf.Tensor).dataSync()) === String((m.predict(tf.ones([1, 3])) as tf.Tensor).dataSync()));',
        'exported',
      ].join('\n');
      const run = await kernel.execute(code);
      assert.equal(run.reply.content.status, 'ok', JSON.stringify(run.reply.content));
      const printed = run.outputs
        .filter((m) => m.msg_type === 'stream')
        .map((m) => m.content.text)
        .join('');
      assert.match(printed, /same: true/);
      assert.match(String(resultData(run)?.['text/html']), /ONNX model.*matches tfjs.*<table>/s);
    } finally {
      await kernel.shutdown();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
