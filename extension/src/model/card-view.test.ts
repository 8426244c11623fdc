import { host } from '../testing/dom.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentName, ModelCardView, type ModelCardActions, type ModelCardData } from './card-view.js';

const data: ModelCardData = {
  version: 1,
  id: 'model-7',
  name: 'sequential_1',
  layers: [
    { name: 'dense_Dense1', type: 'Dense', outputShape: [null, 16], params: 80, trainable: true },
    { name: 'dense_Dense2', type: 'Dense', outputShape: [null, 3], params: 51, trainable: true },
  ],
  params: 131,
  trainableParams: 131,
  bytes: 524,
  compiled: { loss: 'sparseCategoricalCrossentropy', optimizer: 'Adam', metrics: ['acc'] },
  metrics: { loss: 0.1, acc: 0.97 },
};

function card(deploy: ModelCardActions['deploy']) {
  const shown: string[] = [];
  const view = new ModelCardView(host(), { deploy, showStatus: (_node, name) => void shown.push(name) });
  view.update(data);
  const form = view.node.querySelector('form')!;
  const input = form.querySelector('input')!;
  return {
    view,
    shown,
    input,
    submit: () => {
      form.querySelector('button')!.click();
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the model card', () => {
  it('shows the parameters, size, last metrics and layers', () => {
    const { view } = card(() => Promise.reject(new Error('unused')));
    const text = view.node.textContent;
    assert.match(text, /sequential_1 · 131 parameters \(131 trainable\) · 524 B/);
    assert.match(text, /acc0\.9700/);
    assert.equal(view.node.querySelectorAll('tbody tr').length, 2);
    assert.match(text, /\(None, 16\)/);
  });

  it('deploys through the kernel under the typed name, then shows the live status', async () => {
    const calls: unknown[][] = [];
    const { view, shown, input, submit } = card((...args) => {
      calls.push(args);
      return Promise.resolve({
        name: 'penguins',
        version: '1',
        status: 'ready',
        url: 'http://127.0.0.1:8707/v2/models/penguins',
      });
    });
    assert.equal(input.value, 'sequential_1', 'the name field starts from the model name');
    input.value = 'penguins';
    submit();
    await settle();
    assert.deepEqual(calls, [['model-7', 'penguins', { loss: 0.1, acc: 0.97 }]]);
    assert.deepEqual(shown, ['penguins']);
    const result = view.node.querySelector('.jp-LeptonModelCard-result')!;
    assert.match(result.textContent, /^Deployed: .* · endpoint$/);
    assert.equal(result.querySelector('a')!.getAttribute('href'), 'http://127.0.0.1:8707/v2/models/penguins');
  });

  it('refuses a name the server would refuse, without asking the kernel', async () => {
    let asked = false;
    const { view, input, submit } = card(() => ((asked = true), Promise.reject(new Error('unused'))));
    input.value = '../etc';
    submit();
    await settle();
    assert.equal(asked, false);
    assert.match(view.node.querySelector('.jp-LeptonModelCard-result')!.textContent, /cannot name a deployment/);
  });

  it("shows the kernel's error when the deploy fails, and can be tried again", async () => {
    const { view, submit } = card(() =>
      Promise.reject(new Error('The model of this card (model-7) is no longer in the kernel')),
    );
    submit();
    await settle();
    assert.match(
      view.node.querySelector('.jp-LeptonModelCard-result')!.textContent,
      /Deploy failed: The model of this card/,
    );
    assert.equal(view.node.querySelector('button')!.disabled, false);
  });

  it('downloads a .tflite file of the chosen quantization through the kernel and says what it saved', async () => {
    const asked: unknown[][] = [];
    const view = new ModelCardView(host(), {
      deploy: () => Promise.reject(new Error('unused')),
      showStatus: () => undefined,
      downloadTflite: (...args) => {
        asked.push(args);
        return Promise.resolve({ fileName: 'sequential_1-float16.tflite', bytes: 2048 });
      },
    });
    view.update(data);
    const row = view.node.querySelector('.jp-LeptonModelCard-tflite')!;
    row.querySelector('select')!.value = 'float16';
    row.querySelector('button')!.click();
    await settle();
    assert.deepEqual(asked, [['model-7', 'float16']]);
    assert.match(row.textContent, /Saved sequential_1-float16\.tflite \(2(\.0)? KB\)/);
  });

  it('makes a deployment name the server accepts from any model name', () => {
    assert.equal(deploymentName('my model/v2'), 'my-model-v2');
    assert.equal(deploymentName('...'), 'model');
  });
});
