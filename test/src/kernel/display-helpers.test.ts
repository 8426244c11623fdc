// The one-line display helpers and unawaited promises (issue 25.2), through a real client.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelClient, resultData, type Execution } from '../support/kernel-client.js';
import { started } from '../support/hooks.js';

/** The display_data and update_display_data messages of a cell. */
function displays(run: Execution) {
  assert.equal(run.reply.content.status, 'ok', JSON.stringify(run.reply.content));
  return run.outputs.filter((m) => m.msg_type === 'display_data' || m.msg_type === 'update_display_data');
}

describe('display helpers in the Lepton kernel', () => {
  let kernel: KernelClient;
  before(async () => {
    kernel = await KernelClient.start();
    await kernel.execute('1', { timeout: 120 });
  });
  after(() => started(kernel)?.shutdown());

  test('display.html and the md tag show their MIME types, and { id } outputs update in place', async () => {
    const run = await kernel.execute(
      'const n = 7;\ndisplay.html`<b>${n}</b>`;\ndisplay.md`**${n}** rows`;\ndisplay.html("<p>1</p>", { id: "live" });\ndisplay.html("<p>2</p>", { id: "live", update: true })',
    );
    const [html, md, first, second] = displays(run);
    assert.equal(html!.content.data!['text/html'], '<b>7</b>');
    assert.equal(md!.content.data!['text/markdown'], '**7** rows');
    assert.equal(first!.content.transient!.display_id, 'live');
    assert.equal(second!.msg_type, 'update_display_data');
    assert.equal(second!.content.transient!.display_id, 'live');
    assert.equal(second!.content.data!['text/html'], '<p>2</p>');
  });

  test('display.image shows a batch of tensors as one PNG grid with the width asked for', async () => {
    const run = await kernel.execute('display.image(tf.ones([4, 8, 8]), { width: 120 })');
    const [image] = displays(run);
    const png = Buffer.from(image!.content.data!['image/png']!, 'base64');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [18, 18]);
    assert.deepEqual(image!.content.metadata, { 'image/png': { width: 120 } });
    assert.equal(image!.content.data!['text/plain'], '<PNG image 18×18>');
  });

  test('display.json, display.latex and display.svg show their MIME types; bad input is an error that names it', async () => {
    const run = await kernel.execute(
      'display.json({ epochs: 3 }); display.latex("x^2"); display.svg(\'<svg xmlns="http://www.w3.org/2000/svg"></svg>\')',
    );
    const [json, latex, svg] = displays(run);
    assert.deepEqual(json!.content.data!['application/json'], { epochs: 3 });
    assert.equal(latex!.content.data!['text/latex'], '$$x^2$$');
    assert.match(svg!.content.data!['image/svg+xml']!, /^<svg/);
    const bad = await kernel.execute('display.png("no-such-file.png")');
    assert.equal(bad.reply.content.ename, 'DisplayError');
    assert.match(bad.reply.content.evalue!, /cannot read "no-such-file.png" \(ENOENT\)/);
  });

  test('a trailing promise shows as Promise { <pending> } or its value, never async ids', async () => {
    const pending = resultData(await kernel.execute('new Promise(() => {})'))!['text/plain'];
    assert.equal(pending, 'Promise { <pending> }');
    const backend = resultData(await kernel.execute('lepton.backend()', { timeout: 120 }))!['text/plain'];
    assert.match(backend!, /^Promise \{ /);
    assert.doesNotMatch(backend!, /async_id/);
    assert.equal(resultData(await kernel.execute('Promise.resolve(42)'))!['text/plain'], 'Promise { 42 }');
  });
});
