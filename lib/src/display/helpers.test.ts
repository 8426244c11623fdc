import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { display } from './display.js';
import { DisplayError } from './errors.js';
import { getHost, setHost } from './host.js';
import { encodePng } from './png.js';
import { promiseBundle } from './promise.js';
import { plainText } from './mime.js';
import { recordingHost } from './testing.js';

const recorder = recordingHost();
const previous = getHost();
let dir: string;
before(() => {
  setHost(recorder.host);
  dir = mkdtempSync(join(tmpdir(), 'lepton-display-'));
});
after(() => {
  setHost(previous);
  rmSync(dir, { recursive: true, force: true });
});

/** The last output recorded, after running `show`. */
function shown(show: () => void) {
  recorder.outputs.length = 0;
  show();
  assert.equal(recorder.outputs.length, 1);
  return recorder.outputs[0]!;
}

/** A tensor as the image helpers see one. */
function tensor(shape: number[], values: number[], dtype = 'float32') {
  return { shape, dtype, dataSync: () => Float32Array.from(values) };
}

/** The raw pixel rows of a PNG with no filter on the first row and Up on the others, undone. */
function pixels(png: unknown): { width: number; height: number; channels: number; data: number[] } {
  assert.ok(typeof png === 'string', 'image/png holds the file as base64 text');
  const file = Buffer.from(png, 'base64');
  const width = file.readUInt32BE(16);
  const height = file.readUInt32BE(20);
  const channels = ({ 0: 1, 2: 3, 6: 4 } as Record<number, number>)[file[25]!]!;
  const idat = file.subarray(41, 41 + file.readUInt32BE(33));
  const raw = inflateSync(idat);
  const stride = width * channels;
  const data: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i]!;
      data.push(raw[y * (stride + 1)] === 2 ? (x + data[(y - 1) * stride + i]!) & 0xff : x);
    }
  }
  return { width, height, channels, data };
}

test('display.html shows HTML as a call and as a template tag', () => {
  assert.equal(shown(() => display.html('<b>bold</b>')).bundle['text/html'], '<b>bold</b>');
  const n = 3;
  assert.equal(shown(() => display.html`<i>${n} items</i>`).bundle['text/html'], '<i>3 items</i>');
});

test('display.markdown and its md tag show Markdown', () => {
  assert.equal(shown(() => display.markdown('# Title')).bundle['text/markdown'], '# Title');
  assert.equal(shown(() => display.md`**${'x'}**`).bundle['text/markdown'], '**x**');
});

test('an { id } output is updated in place with { id, update: true }', () => {
  assert.deepEqual(shown(() => display.html('<p>1</p>', { id: 'p' })).id, 'p');
  const update = shown(() => display.html('<p>2</p>', { id: 'p', update: true }));
  assert.equal(update.kind, 'update');
  assert.equal(update.bundle['text/html'], '<p>2</p>');
  assert.throws(
    () => display.json({}, { update: true }),
    (error: DisplayError) => error.code === 'LEPTON_DISPLAY_BAD_INPUT' && /needs the id/.test(error.message),
  );
});

test('display.svg, display.latex and display.json show their MIME types and reject what is not theirs', () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>';
  assert.equal(shown(() => display.svg(svg)).bundle['image/svg+xml'], svg);
  assert.throws(() => display.svg('<div></div>'), /no <svg> element/);
  assert.equal(shown(() => display.latex('E = mc^2')).bundle['text/latex'], '$$E = mc^2$$');
  assert.equal(shown(() => display.latex('$x$')).bundle['text/latex'], '$x$');
  const json = shown(() => display.json({ a: [1, 2] }));
  assert.deepEqual(json.bundle['application/json'], { a: [1, 2] });
  assert.throws(
    () => display.json({ big: 1n }),
    (error: DisplayError) => error instanceof DisplayError && /cannot be written as JSON/.test(error.message),
  );
  assert.throws(() => display.html(42 as unknown as string), /expects HTML as a string, got number/);
});

test('display.png and display.jpeg take bytes or a path, check the format and pass the width', () => {
  const png = encodePng({ width: 2, height: 1, channels: 1, data: Uint8Array.of(0, 255) });
  const path = join(dir, 'tiny.png');
  writeFileSync(path, png);
  const fromPath = shown(() => display.png(path, { width: 64 }));
  assert.equal(fromPath.bundle['image/png'], png.toString('base64'));
  assert.equal(fromPath.bundle['text/plain'], '<PNG image 2×1>');
  assert.throws(() => display.jpeg(png), /a PNG image: use display.image/);
  assert.throws(
    () => display.png(join(dir, 'missing.png')),
    (error: DisplayError) => error.code === 'LEPTON_DISPLAY_READ' && /ENOENT/.test(error.message),
  );
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]);
  assert.equal(shown(() => display.jpeg(jpeg)).bundle['image/jpeg'], jpeg.toString('base64'));
});

test('display.image shows a [h, w] tensor in [0, 1] scaled to 0–255, with the width as metadata', () => {
  const output = shown(() => display.image(tensor([1, 2], [0, 1]), { width: 100 }));
  assert.deepEqual(pixels(output.bundle['image/png']), { width: 2, height: 1, channels: 1, data: [0, 255] });
});

test('display.image lays a batch out as a grid with white gaps, and takes 0–255 values as they are', () => {
  const batch = tensor([2, 1, 1, 3], [10, 20, 30, 40, 50, 60]);
  const { width, height, channels, data } = pixels(shown(() => display.image(batch)).bundle['image/png']);
  assert.deepEqual([width, height, channels], [4, 1, 3]);
  assert.deepEqual(data, [10, 20, 30, 255, 255, 255, 255, 255, 255, 40, 50, 60]);
});

test('display.image names the shapes it takes when given another', () => {
  assert.throws(() => display.image(tensor([784], [])), /shape \[784\] is not an image.*reshape/);
  assert.throws(() => display.image(tensor([2, 2, 2, 2], [])), /shape \[2, 2, 2, 2\] is not an image/);
});

test('a pending promise shows as Promise { <pending> }, a settled one as its value, without async ids', async () => {
  assert.deepEqual(await promiseBundle(new Promise(() => {})), { 'text/plain': 'Promise { <pending> }' });
  assert.deepEqual(await promiseBundle(Promise.resolve(42)), { 'text/plain': 'Promise { 42 }' });
  const rejected = await promiseBundle(Promise.reject(new Error('nope')));
  assert.match(String(rejected['text/plain']), /^Promise \{ <rejected> Error: nope/);
  const rich = await promiseBundle(
    Promise.resolve({ [Symbol.for('Jupyter.display')]: () => ({ 'text/html': '<b>chart</b>' }) }),
  );
  assert.equal(rich['text/html'], '<b>chart</b>');
  assert.doesNotMatch(plainText(new Promise(() => {})), /async_id/);
});
