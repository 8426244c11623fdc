/**
 * The worst mistakes of a classifier on an image dataset: the wrongly classified images it was most sure of,
 * each shown with its true label, the predicted one and the probability given to it.
 */
import type { ImageDataset } from './dataset.js';
import { gridHtml } from './grid.js';

/** One wrongly classified image. */
export interface Mistake {
  /** Its index in the dataset. */
  index: number;
  /** Its file. */
  path: string;
  /** Its true class name. */
  trueLabel: string;
  /** The class the model chose. */
  predicted: string;
  /** The probability the model gave its choice. */
  probability: number;
}

/** The `k` (default 12) wrong predictions with the highest probability, most confident first, and their grid. */
export async function worstMistakes(
  ds: ImageDataset,
  probabilities: readonly number[][],
  truth: readonly number[],
  k = 12,
): Promise<{ mistakes: Mistake[]; html: string }> {
  const names = ds.classNames;
  const wrong: Mistake[] = [];
  probabilities.forEach((row, index) => {
    let best = 0;
    for (let c = 1; c < row.length; c++) if (row[c]! > row[best]!) best = c;
    if (best === truth[index]) return;
    wrong.push({
      index,
      path: ds.paths[index]!,
      trueLabel: names[truth[index]!] ?? String(truth[index]),
      predicted: names[best] ?? String(best),
      probability: row[best]!,
    });
  });
  const mistakes = wrong.sort((a, b) => b.probability - a.probability || a.index - b.index).slice(0, k);
  const [height, width] = ds.size;
  const thumbs = await Promise.all(
    mistakes.map(async (m) => ({
      pixels: await ds.pixels(m.index),
      height,
      width,
      channels: ds.channels,
      caption: [m.predicted, `true: ${m.trueLabel}`, `p = ${m.probability.toFixed(2)}`],
      title: m.path,
      alert: true,
    })),
  );
  const html =
    mistakes.length === 0
      ? '<p>No mistakes.</p>'
      : `<p><b>Worst mistakes</b> (the ${mistakes.length} wrong predictions made with the highest probability, of ${wrong.length})</p>${gridHtml(thumbs)}`;
  return { mistakes, html };
}
