/**
 * Fitted transforms as ONNX operators: the "front" graph that takes one input per raw column and computes the
 * model input's `[batch, features]` float rows, as the server's record preprocessing (`compileTransforms`, the
 * reference) computes them. Which columns are read, which features come out and in which order is the server's
 * answer, not a second derivation here; this module only says how each step is written as operators.
 *
 * In the graph a missing number is NaN and a missing category is the empty string. What the server refuses at
 * run time (a category not seen in fitting where that is an error, a feature left missing) becomes NaN in the
 * graph, the one way a graph has to say "no answer".
 */
import {
  compileTransforms,
  parseTransforms,
  TRANSFORM_KINDS,
  type Category,
  type Step,
} from '@lepton/server/preprocess';
import { ExportError } from '../errors.js';
import { attr, OnnxGraph } from '../../onnx/graph.js';
import { DataType } from '../../onnx/format.js';
import { dateFeatureNodes } from './date-ops.js';

/** The domain of the ONNX-ML operators (`LabelEncoder`). */
export const ML_DOMAIN = 'ai.onnx.ml';

export type { ColumnInput, ColumnType } from '../../contract/deployments.js';
import type { ColumnInput, ColumnType } from '../../contract/deployments.js';

/** The front graph and what it takes and makes. */
export interface Front {
  /** The graph: inputs are the raw columns; its last value is named after the model input it feeds. */
  graph: OnnxGraph;
  /** The raw columns, in the order the transforms first name them. */
  inputs: ColumnInput[];
  /** The model input's columns, in order. */
  features: string[];
  /** Whether it uses ONNX-ML operators. */
  usesMl: boolean;
}

/** A column's value while the steps run, as a `[batch, 1]` graph value. */
type Slot =
  | { type: 'float'; value: string }
  | {
      type: 'string';
      value: string;
      /** What the empty string (missing) stands for once an imputer filled it; null while it is missing. */
      fill: Category | null;
    }
  | { type: 'double'; value: string };

const ELEM: Record<ColumnType, DataType> = { float: DataType.FLOAT, string: DataType.STRING, double: DataType.DOUBLE };

function unsupported(message: string): ExportError {
  return new ExportError('LEPTON_UNSUPPORTED_TRANSFORM', message);
}

/** The steps of `transforms`, or the error naming a transform the graph cannot hold. */
function stepsOf(transforms: readonly unknown[]): Step[] {
  for (const t of flatten(transforms)) {
    if (t.kind === 'textVectorizer') {
      throw unsupported(
        'A textVectorizer cannot be written as ONNX operators that reproduce it exactly: StringSplit needs opset 20 (Lepton writes 17), ' +
          'StringNormalizer lowercases by locale where the vectorizer strips Unicode punctuation and splits CJK runs at word boundaries, and its ' +
          "out-of-vocabulary, n-gram and TF-IDF rules are not TfIdfVectorizer's. " +
          "serve text models on the Lepton server (lepton.deploy(model, { transforms: [vectorizer] })), which vectorizes texts with the notebook's code.",
      );
    }
  }
  const unknown = flatten(transforms).find((t) => typeof t.kind === 'string' && !TRANSFORM_KINDS.includes(t.kind));
  if (unknown) {
    throw unsupported(
      `A ${String(unknown.kind)} transform has no ONNX form in a pipeline graph, which holds ${TRANSFORM_KINDS.filter((k) => k !== 'pipeline').join(', ')}. ` +
        'Image decoding (deploy with { image }) and text vectorizing stay on the Lepton server: serve such models there.',
    );
  }
  try {
    return parseTransforms(transforms);
  } catch (error) {
    throw badPipeline(error);
  }
}

function flatten(transforms: readonly unknown[]): Array<{ kind?: unknown }> {
  return transforms.flatMap((t) => {
    const value = t as { kind?: unknown; config?: { steps?: unknown } } | null;
    if (value && value.kind === 'pipeline' && Array.isArray(value.config?.steps))
      return [value, ...flatten(value.config.steps)];
    return value && typeof value === 'object' ? [value] : [];
  });
}

function badPipeline(error: unknown): unknown {
  if (error instanceof Error && (error as { code?: unknown }).code === 'LEPTON_BAD_META') {
    return new ExportError(
      'LEPTON_BAD_PIPELINE',
      error.message.replace(/^The deployment metadata is invalid: /, 'The transforms cannot be exported: '),
      { cause: error },
    );
  }
  return error;
}

/** The input type of a raw column: what the first step that reads it needs. */
function columnType(column: string, steps: readonly Step[]): ColumnType {
  for (const step of steps) {
    const j = step.columns.indexOf(column);
    if (j < 0) continue;
    switch (step.kind) {
      case 'standardScaler':
      case 'minMaxScaler':
        return 'float';
      case 'dateFeatures':
        return 'double';
      case 'imputer':
        return valueType(step.fill[j]!, step, column);
      default: {
        const types = new Set(step.categories[j]!.map((c) => valueType(c, step, column)));
        if (types.size > 1)
          throw unsupported(
            `${step.where}: column "${column}" has both number and string categories; a graph input holds one type. Make the column's values all strings (or all numbers) before fitting.`,
          );
        return types.has('float') ? 'float' : 'string';
      }
    }
  }
  return 'float';
}

function valueType(value: Category, step: Step, column: string): 'float' | 'string' {
  if (typeof value === 'boolean') {
    throw unsupported(
      `${step.where}: column "${column}" holds booleans, which an ONNX graph input cannot carry beside missing values. Map them to strings ('yes'/'no') or numbers (1/0) before fitting.`,
    );
  }
  return typeof value === 'number' ? 'float' : 'string';
}

/**
 * Writes `transforms` as the front graph of a model whose input `feeds` takes `[batch, width]` floats.
 * @param transforms the fitted transforms' JSON (as `lepton.deploy` takes them)
 * @param features the model input's columns in order (default: as the server orders them)
 * @param feeds the model input's name: the front's last value gets it
 * @param width the model input's column count (-1: any)
 * @param taken names the model already uses (the front's generated names avoid them)
 */
export function buildFront(
  transforms: readonly unknown[],
  features: readonly string[] | undefined,
  feeds: string,
  width: number,
  taken: ReadonlySet<string>,
): Front {
  const steps = stepsOf(transforms);
  let plan;
  try {
    plan = compileTransforms(transforms, { width, ...(features === undefined ? {} : { features }) });
  } catch (error) {
    throw badPipeline(error);
  }
  const g = new OnnxGraph('lepton_pipeline');
  for (const name of taken) if (name !== feeds) g.uniqueName(name);
  const inputs: ColumnInput[] = plan.fields.map((name) => {
    if (taken.has(name))
      throw new ExportError(
        'LEPTON_BAD_PIPELINE',
        `The raw column "${name}" has the name of a value inside the model; rename the column before fitting the transforms.`,
      );
    return { name, type: columnType(name, steps) };
  });
  const slots = new Map<string, Slot>();
  for (const input of inputs) {
    g.addInput(input.name, ELEM[input.type], [null, 1]);
    slots.set(
      input.name,
      input.type === 'string'
        ? { type: 'string', value: input.name, fill: null }
        : { type: input.type, value: input.name },
    );
  }
  let usesMl = false;
  const constant = (hint: string, v: number) => g.addFloats(hint, [v], [1]);
  const numberSlot = (step: Step, column: string): string => {
    const slot = slots.get(column)!;
    if (slot.type !== 'float')
      throw unsupported(
        `${step.where} needs numbers, but column "${column}" is a ${slot.type === 'string' ? 'category (a string input)' : 'date'} there.`,
      );
    return slot.value;
  };

  for (const step of steps) {
    const hint = step.kind;
    switch (step.kind) {
      case 'standardScaler':
        step.columns.forEach((c, j) => {
          const x = numberSlot(step, c);
          slots.set(c, {
            type: 'float',
            value: g.op(
              'Div',
              [
                g.op('Sub', [x, constant(`${hint}/mean`, step.mean[j]!)], {}, hint),
                constant(`${hint}/std`, step.std[j]!),
              ],
              {},
              hint,
            ),
          });
        });
        break;
      case 'minMaxScaler': {
        const [lo, hi] = step.range;
        step.columns.forEach((c, j) => {
          const x = numberSlot(step, c);
          const span = step.max[j]! - step.min[j]!;
          // lo + ((x − min) / span) × (hi − lo), in the server's order of operations.
          const unit = g.op(
            'Div',
            [
              g.op('Sub', [x, constant(`${hint}/min`, step.min[j]!)], {}, hint),
              constant(`${hint}/span`, span === 0 ? 1 : span),
            ],
            {},
            hint,
          );
          slots.set(c, {
            type: 'float',
            value: g.op(
              'Add',
              [constant(`${hint}/low`, lo), g.op('Mul', [unit, constant(`${hint}/width`, hi - lo)], {}, hint)],
              {},
              hint,
            ),
          });
        });
        break;
      }
      case 'imputer':
        step.columns.forEach((c, j) => {
          const slot = slots.get(c)!;
          const fill = step.fill[j]!;
          const type = valueType(fill, step, c);
          if (slot.type === 'string' && type === 'string') {
            // Strings cannot be compared in opset 17: the fill is applied where the category is encoded.
            if (slot.fill === null) slots.set(c, { ...slot, fill });
          } else if (slot.type === 'float' && type === 'float') {
            slots.set(c, {
              type: 'float',
              value: g.op(
                'Where',
                [g.op('IsNaN', [slot.value], {}, hint), constant(`${hint}/fill`, fill as number), slot.value],
                {},
                hint,
              ),
            });
          } else {
            throw unsupported(
              `${step.where} fills column "${c}" with ${JSON.stringify(fill)}, but the column is a ${slot.type === 'string' ? 'category (string)' : slot.type === 'double' ? 'date' : 'number'} there.`,
            );
          }
        });
        break;
      case 'labelEncoder':
      case 'oneHot':
        usesMl = true;
        step.columns.forEach((c, j) => {
          const categories = step.categories[j]!;
          const slot = slots.get(c)!;
          const unknown = step.kind === 'oneHot' && step.unknown === 'ignore' ? -1 : NaN;
          // A missing value: stays missing (NaN) through a label encoder, gives all zeros (-1) in one-hot columns.
          const missing = step.kind === 'oneHot' ? -1 : NaN;
          const code = encode(g, step, c, categories, slot, unknown, missing);
          if (step.kind === 'labelEncoder') {
            slots.set(c, { type: 'float', value: code });
            return;
          }
          // NaN (a category the server refuses) must reach every 0/1 column: NaN × 0 is NaN, −1 × 0 adds nothing.
          const poison =
            step.unknown === 'error' ? g.op('Mul', [code, constant(`${hint}/zero`, 0)], {}, hint) : undefined;
          slots.delete(c);
          categories.forEach((category, k) => {
            const hit = g.op(
              'Cast',
              [g.op('Equal', [code, constant(`${hint}/code`, k)], {}, hint)],
              { to: attr.int(DataType.FLOAT) },
              hint,
            );
            slots.set(`${c}_${String(category)}`, {
              type: 'float',
              value: poison === undefined ? hit : g.op('Add', [hit, poison], {}, hint),
            });
          });
        });
        break;
      case 'dateFeatures': {
        const slot = slots.get(step.column)!;
        if (slot.type !== 'double')
          throw unsupported(
            `${step.where} needs dates, but column "${step.column}" is a ${slot.type === 'string' ? 'category' : 'number'} there.`,
          );
        for (const [name, value] of dateFeatureNodes(g, step, slot.value)) slots.set(name, { type: 'float', value });
        break;
      }
    }
  }

  const columns = plan.features.map((f) => {
    const slot = slots.get(f)!;
    if (slot.type !== 'float') {
      throw unsupported(
        `The feature "${f}" is a ${slot.type === 'string' ? 'category (string)' : 'date'} when it reaches the model; encode it with oneHot or labelEncoder (dates with dateFeatures) before the model.`,
      );
    }
    return slot.value;
  });
  g.alias(g.op('Concat', columns, { axis: attr.int(1) }, 'features'), feeds);
  return { graph: g, inputs, features: [...plan.features], usesMl };
}

/**
 * A category column's codes as `[batch, 1]` floats through `ai.onnx.ml.LabelEncoder`: the index of each fitted
 * category, `unknown` for any other value, `missing` for a missing one (or the fill's code after an imputer).
 */
function encode(
  g: OnnxGraph,
  step: Step,
  column: string,
  categories: readonly Category[],
  slot: Slot,
  unknown: number,
  missing: number,
): string {
  const values = categories.map((_, k) => k);
  if (slot.type === 'string') {
    if (!categories.every((c) => typeof c === 'string'))
      throw unsupported(
        `${step.where}: column "${column}" is a string input, but its fitted categories are not all strings.`,
      );
    if (categories.includes(''))
      throw unsupported(
        `${step.where}: column "${column}" has the empty string as a fitted category, but the graph reads "" as missing. Replace empty strings (or fill them) before fitting.`,
      );
    const fillAt = slot.fill === null ? -1 : (categories as Category[]).indexOf(slot.fill);
    const fillCode = slot.fill === null ? missing : fillAt >= 0 ? fillAt : unknown;
    return g.addNode(
      'LabelEncoder',
      [slot.value],
      {
        keys_strings: attr.strings([...(categories as string[]), '']),
        values_floats: attr.floats([...values, fillCode]),
        default_float: attr.float(unknown),
      },
      { hint: step.kind, domain: ML_DOMAIN },
    )[0]!;
  }
  if (slot.type !== 'float' || !categories.every((c) => typeof c === 'number')) {
    throw unsupported(
      `${step.where}: column "${column}" is a ${slot.type === 'float' ? 'number' : 'date'} input, but its fitted categories are not all numbers.`,
    );
  }
  const code = g.addNode(
    'LabelEncoder',
    [slot.value],
    {
      keys_floats: attr.floats(categories),
      values_floats: attr.floats(values),
      default_float: attr.float(unknown),
    },
    { hint: step.kind, domain: ML_DOMAIN },
  )[0]!;
  if (Number.isNaN(missing) && Number.isNaN(unknown)) return code;
  return g.op(
    'Where',
    [g.op('IsNaN', [slot.value], {}, step.kind), g.addFloats(`${step.kind}/missing`, [missing], [1]), code],
    {},
    step.kind,
  );
}
