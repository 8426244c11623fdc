/**
 * The ids model cards refer to models by. A model's card (its summary, `train/summary.ts`) carries the id; the
 * card's buttons send it back over the `lepton.model` comm, and the code answering them (`deploy/model-comm.ts`,
 * `export/tflite/card-download.ts`) finds the model by it. The table lives here, beside the card, so that the card
 * needs nothing from the layers that answer its buttons.
 */
import type * as tf from '@tensorflow/tfjs';

const idKey = Symbol.for('lepton.modelId');
/** Displayed models by id; weak, so a card left in a notebook never keeps a model alive. */
const models = new Map<string, WeakRef<tf.LayersModel>>();
/** Forgets a model's id once the model is collected. */
const forget = new FinalizationRegistry<string>((id) => models.delete(id));
let nextId = 1;

/** The id a model's card refers to it by (given on first use, stable afterwards). */
export function modelId(model: tf.LayersModel): string {
  const tagged = model as unknown as Record<symbol, string | undefined>;
  let id = tagged[idKey];
  if (id === undefined) {
    id = `model-${nextId++}`;
    Object.defineProperty(model, idKey, { value: id, enumerable: false });
    models.set(id, new WeakRef(model));
    forget.register(model, id);
  }
  return id;
}

/** The model a card's id refers to, or undefined once it is collected (or never had a card in this kernel). */
export function modelById(id: string): tf.LayersModel | undefined {
  return models.get(id)?.deref();
}
