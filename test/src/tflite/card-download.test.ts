// The model card's "Download .tflite", through the real kernel: the card's comm request on `lepton.model` comes back
// with a TFLite file of the model the card shows (the browser then saves it; extension/src/model tests the button).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelClient, resultData, type JupyterMessage } from '../support/kernel-client.js';
import { jsonOf } from '../support/mime.js';
import type { ModelSummaryJson, TfliteDownloadAnswer } from '@lepton/lib/contract';
import { started } from '../support/hooks.js';

describe('Download .tflite from the model card', () => {
  let kernel: KernelClient;
  before(async () => {
    kernel = await KernelClient.start();
  });
  after(() => started(kernel)?.shutdown());

  /** Opens a comm on `lepton.model` and waits for the kernel's answer to `request`. */
  async function ask(commId: string, request: Record<string, unknown>): Promise<TfliteDownloadAnswer> {
    await kernel.iopub(await kernel.send('comm_open', { comm_id: commId, target_name: 'lepton.model', data: {} }));
    await kernel.send('comm_msg', { comm_id: commId, data: request });
    for (let i = 0; i < 20; i++) {
      const { messages } = await kernel.call<{ messages: JupyterMessage[] }>('iopub', {
        count: 20,
        timeout: 5,
        allow_timeout: true,
      });
      const answer = messages.find(
        (m) => m.msg_type === 'comm_msg' && m.content.comm_id === commId && m.content.data?.action === 'tflite',
      );
      // The kernel's comm_msg data is the comm contract's answer (lib/src/contract/comm.ts).
      if (answer) return answer.content.data as unknown as TfliteDownloadAnswer;
    }
    throw new Error('the kernel did not answer the .tflite request');
  }

  test("the kernel answers with the card's model as a .tflite file of the chosen quantization", async () => {
    const shown = resultData(
      await kernel.execute(
        "const cardModel = lepton.models.mlp({ inputs: 4, hidden: [8], classes: 3, seed: 1, name: 'penguin mlp' }); cardModel",
      ),
    );
    const card = jsonOf(shown, 'application/vnd.lepton.model+json') as ModelSummaryJson;
    assert.ok(card.id, 'the model shows its card');
    const answer = await ask('t1', { action: 'tflite', modelId: card.id, quantize: 'float16' });
    assert.equal(answer.ok, true, answer.ok ? undefined : answer.error);
    assert.equal(answer.fileName, 'penguin-mlp-float16.tflite');
    const bytes = Buffer.from(answer.base64, 'base64');
    assert.equal(bytes.length, answer.bytes);
    assert.equal(bytes.subarray(4, 8).toString('latin1'), 'TFL3', 'a TFLite flatbuffer');
  });

  test('an unknown model or quantization is answered with an error the card shows', async () => {
    const gone = await ask('t2', { action: 'tflite', modelId: 'model-999', quantize: 'float32' });
    assert.equal(gone.ok, false);
    assert.equal(gone.code, 'LEPTON_MODEL_GONE');
    const bad = await ask('t3', { action: 'tflite', modelId: 'model-1', quantize: 'int8' });
    assert.ok(!bad.ok, 'an int8 request is refused');
    assert.equal(bad.code, 'LEPTON_BAD_REQUEST');
    assert.match(bad.error, /float32 \| float16 \| dynamic/);
  });
});
