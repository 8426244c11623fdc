/**
 * Raw inputs the server preprocesses: a version deployed with `rawInput` (e.g. `{ kind: "image", size, channels,
 * fit }`) takes, with `"parameters": { "lepton_preprocess": true }`, one BYTES input of shape `[n]` whose elements
 * the kind's decoder turns into the model's input tensor (the tabular `records` path, `records.ts`, is the same
 * shape with transforms):
 *
 *     { "parameters": { "lepton_preprocess": true },
 *       "inputs": [{ "name": "images", "datatype": "BYTES", "shape": [2], "data": ["<base64 file>", "<base64 file>"] }] }
 *
 * Each kind is one entry of `RAW_INPUT_KINDS`: its input's name, how its spec is checked at deploy against the
 * model, and how a request's elements are decoded. A new kind of raw input (text, audio) is a new entry.
 */
import type { InferRequest } from '../deployment.js';
import { errors } from '../errors.js';
import type { TensorSpec } from '../wire/tensor-spec.js';
import type { DecodedInputs, Feed, RequestTensor } from '../tensors.js';
import { decodeImage, ImageDecodeError, parseImageSpec, pixelsToFloat, type ImageSpec } from './image.js';
import { PREPROCESS_PARAMETER } from './records.js';
import { checkTextModel, decodeTexts, parseTextSpec, type TextSpec } from './text-input.js';

/** A raw input's description, as kept in a version's `meta.json` under `rawInput`; `kind` says which decoder. */
export type RawInputSpec = ImageSpec | TextSpec;

/** One kind of raw input: what its request looks like and how it becomes the model's input. */
export interface RawInputKind<S extends RawInputSpec> {
  /** The name of the request's one BYTES input (`images`). */
  input: string;
  /** What each element of that input is, for error messages ("base64-encoded image files"). */
  elements: string;
  /** Checks a spec given at deploy or read from `meta.json`; returns it with defaults. Throws `LEPTON_BAD_META`. */
  parse(value: unknown): S;
  /** Checks that the model's input takes what the spec makes. Throws `LEPTON_BAD_META` naming the mismatch. */
  check(spec: S, model: TensorSpec): void;
  /** The model input's feed for a request's elements (shape `[n, ...]`); throws a 400 naming the bad elements. */
  decode(spec: S, elements: readonly unknown[], model: TensorSpec): Promise<Feed>;
}

/** The kinds of raw input the server preprocesses, by `kind`. */
export const RAW_INPUT_KINDS: {
  readonly [K in RawInputSpec['kind']]: RawInputKind<Extract<RawInputSpec, { kind: K }>>;
} = {
  image: {
    input: 'images',
    elements: 'base64-encoded image files',
    parse: parseImageSpec,
    check(spec, model) {
      const [h, w] = spec.size;
      const want = [-1, h, w, spec.channels];
      const fits =
        model.datatype === 'FP32' &&
        model.shape.length === 4 &&
        model.shape.every((d, i) => i === 0 || d === -1 || d === want[i]);
      if (!fits)
        throw errors.badMeta(
          `rawInput makes ${h}×${w}×${spec.channels} images, but the model's input "${model.name}" is ${model.datatype} [${model.shape.join(', ')}]; deploy with the size and channels the model was trained on.`,
        );
    },
    async decode(spec, elements) {
      const [h, w] = spec.size;
      const size = h * w * spec.channels;
      const out = new Float32Array(elements.length * size);
      const bad: Array<{ index: number; reason: string }> = [];
      await Promise.all(
        elements.map(async (element, index) => {
          const bytes = base64Bytes(element);
          if (!bytes) {
            bad.push({ index, reason: 'not a base64 string' });
            return;
          }
          try {
            pixelsToFloat(await decodeImage(bytes, spec), out, index * size);
          } catch (error) {
            if (!(error instanceof ImageDecodeError)) throw error;
            bad.push({ index, reason: error.message });
          }
        }),
      );
      if (bad.length > 0)
        throw errors.badImage(
          bad.sort((a, b) => a.index - b.index),
          elements.length,
        );
      return { data: out, shape: [elements.length, h, w, spec.channels] };
    },
  },
  text: {
    input: 'texts',
    elements: 'UTF-8 strings',
    parse: parseTextSpec,
    check: checkTextModel,
    // async so that a throw from decodeTexts rejects, as the image kind's decoding does.
    // eslint-disable-next-line @typescript-eslint/require-await -- see above
    decode: async (spec, elements, model) => decodeTexts(spec, elements, model),
  },
};

/** The name of each kind's BYTES input (`images` for images), for clients that build requests. */
export const RAW_INPUT_NAMES: { readonly [K in RawInputSpec['kind']]: string } = Object.fromEntries(
  Object.entries(RAW_INPUT_KINDS).map(([kind, entry]) => [kind, entry.input]),
) as { [K in RawInputSpec['kind']]: string };

/** The kind entry of `spec`. */
function kindOf<S extends RawInputSpec>(spec: S): RawInputKind<S> {
  return RAW_INPUT_KINDS[spec.kind] as unknown as RawInputKind<S>;
}

/**
 * Checks a deploy's `rawInput` against the model: a known kind, valid fields, and a model with one input that
 * takes what it makes. Returns the spec with defaults. Throws `LEPTON_BAD_META`.
 */
export function parseRawInput(value: unknown, inputs: readonly TensorSpec[]): RawInputSpec {
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (typeof kind !== 'string' || !(kind in RAW_INPUT_KINDS)) {
    throw errors.badMeta(
      `rawInput must be an object with a "kind" the server preprocesses (${Object.keys(RAW_INPUT_KINDS).join(', ')}); got ${JSON.stringify(kind)}.`,
    );
  }
  // The kind's entry, typed for any spec: each entry parses and checks specs of its own kind only.
  const entry = RAW_INPUT_KINDS[kind as RawInputSpec['kind']] as unknown as RawInputKind<RawInputSpec>;
  const spec = entry.parse(value);
  if (inputs.length !== 1)
    throw errors.badMeta(
      `rawInput feeds a model with one input; this model has ${inputs.length} (${inputs.map((i) => i.name).join(', ')}).`,
    );
  entry.check(spec, inputs[0]!);
  return spec;
}

/** A base64 element's bytes (a `data:` URL's payload too), or undefined when it is not a base64 string. */
function base64Bytes(element: unknown): Buffer | undefined {
  if (typeof element !== 'string') return undefined;
  const payload = element.startsWith('data:') ? element.slice(element.indexOf(',') + 1) : element;
  if (payload.length === 0 || !/^[A-Za-z0-9+/\r\n]*={0,2}$/.test(payload)) return undefined;
  return Buffer.from(payload, 'base64');
}

/**
 * The model's feed from a preprocessing request to a version with a raw input. Throws `LEPTON_BAD_RAW_INPUT`
 * when the inputs are not one BYTES tensor of the kind's name and shape `[n]`, and the kind's error naming the
 * elements that cannot be decoded (`LEPTON_BAD_IMAGE`).
 */
export async function decodeRawInput(
  spec: RawInputSpec,
  model: TensorSpec,
  inputs: readonly RequestTensor[],
): Promise<DecodedInputs> {
  const entry = kindOf(spec);
  const expected = `{ "name": "${entry.input}", "datatype": "BYTES", "shape": [n], "data": [n ${entry.elements}] }`;
  const fail = (detail: string) => errors.badRawInput(detail, expected);
  const tensor = inputs[0];
  if (inputs.length !== 1 || !tensor || tensor.name !== entry.input) {
    throw fail(`the request has ${inputs.length === 1 ? `input "${tensor?.name}"` : `${inputs.length} inputs`}.`);
  }
  if (tensor.datatype !== 'BYTES') throw fail(`input "${entry.input}" has datatype ${tensor.datatype}.`);
  // A BYTES tensor always has `data` here: binary elements were turned into text when the body was read.
  const data = tensor.data ?? [];
  const n = data.length;
  if (tensor.shape.length !== 1 || tensor.shape[0] !== n)
    throw fail(`input "${entry.input}" has shape [${tensor.shape.join(', ')}] for ${n} elements.`);
  if (n === 0) throw fail(`input "${entry.input}" holds no elements.`);
  const batch = model.shape[0]!;
  if (batch !== -1 && batch !== n)
    throw fail(`the model takes batches of exactly ${batch}; the request has ${n} elements.`);
  return { feeds: { [model.name]: await entry.decode(spec, data, model) }, rows: n };
}

/**
 * The infer request that sends raw elements of `kind` for server-side preprocessing (image files as base64).
 * @example await client.infer('digits', rawInputRequest('image', [readFileSync('7.png').toString('base64')]))
 */
export function rawInputRequest(kind: RawInputSpec['kind'], elements: readonly string[]): InferRequest {
  return {
    parameters: { [PREPROCESS_PARAMETER]: true },
    inputs: [{ name: RAW_INPUT_KINDS[kind].input, datatype: 'BYTES', shape: [elements.length], data: [...elements] }],
  };
}
