/**
 * The four tables of `npm run bench -- automl`, loaded once and split once (seeded, 80/20), so that every model —
 * Lepton's and its Python peers' — trains and scores on the same rows: penguins (Species), cars
 * (Miles_per_Gallon, regression), Seattle weather (weather) and 200,000 flights (delay > 15 min).
 * `writeTable` saves a table as numbers (categories as label codes, NaN where missing) for the peers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as lepton from '@lepton/lib';

/** One benchmark table: the raw frame, its target, its features and the shared split. */
export interface BenchTable {
  /** `penguins`, `cars`, `seattle` or `flights`. */
  name: string;
  /** What the target is. */
  task: 'classification' | 'regression';
  /** The frame: the features and the target, nothing else. */
  frame: lepton.DataFrame;
  /** The target column. */
  target: string;
  /** The feature columns. */
  features: string[];
  /** The string feature columns (label-encoded for models that need numbers). */
  categorical: string[];
  /** Training rows (sorted). */
  train: number[];
  /** Test rows (sorted). */
  test: number[];
}

/** A seeded 80/20 split of `n` rows (Lepton's own splitter, so the automl runs can split alike). */
function split(n: number, seed: number): { train: number[]; test: number[] } {
  const { train, test } = lepton.preprocess.splitIndices(n, { testSize: 0.2, seed });
  return { train: Array.from(train).sort((a, b) => a - b), test: Array.from(test).sort((a, b) => a - b) };
}

function table(
  name: string,
  task: BenchTable['task'],
  frame: lepton.DataFrame,
  target: string,
  categorical: string[] = [],
): BenchTable {
  const features = frame.columnNames().filter((c) => c !== target);
  return { name, task, frame, target, features, categorical, ...split(frame.numRows(), 42) };
}

/** Columns of `frame` as plain arrays, rows kept where `keep` holds. */
function columns(
  frame: lepton.DataFrame,
  names: string[],
  keep: (row: number) => boolean = () => true,
): Record<string, unknown[]> {
  const rows = Array.from({ length: frame.numRows() }, (_, i) => i).filter(keep);
  return Object.fromEntries(
    names.map((n) => {
      const values = frame.array(n) as ArrayLike<unknown>;
      return [n, rows.map((i) => values[i])];
    }),
  );
}

/** The four tables (flights read from the bundled Arrow file). */
export async function automlTables(): Promise<BenchTable[]> {
  const p = lepton.datasets.penguins();
  const species = p.array('Species') as ArrayLike<unknown>;
  const penguins = columns(
    p,
    ['Species', 'Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)', 'Sex'],
    (i) => species[i] != null,
  );
  const c = lepton.datasets.cars();
  const mpg = c.array('Miles_per_Gallon') as ArrayLike<unknown>;
  const cars = columns(
    c,
    ['Miles_per_Gallon', 'Cylinders', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration', 'Year', 'Origin'],
    (i) => mpg[i] != null,
  );
  cars.Year = cars.Year!.map((d) => new Date(d as Date).getUTCFullYear());
  const s = lepton.datasets.seattleWeather();
  const seattle = columns(s, ['weather', 'precipitation', 'temp_max', 'temp_min', 'wind', 'date']);
  seattle.month = seattle.date!.map((d) => new Date(d as Date).getUTCMonth() + 1);
  delete seattle.date;
  const f = await lepton.datasets.flights(200_000);
  const flights = columns(f, ['delay', 'distance', 'time']);
  const delayed = flights.delay!.map((v) => ((v as number) > 15 ? 'yes' : 'no'));
  return [
    table('penguins', 'classification', lepton.DataFrame.from(penguins), 'Species', ['Island', 'Sex']),
    table('cars', 'regression', lepton.DataFrame.from(cars), 'Miles_per_Gallon', ['Origin']),
    table('seattle', 'classification', lepton.DataFrame.from(seattle), 'weather'),
    table(
      'flights',
      'classification',
      lepton.DataFrame.from({ delayed, distance: flights.distance!, time: flights.time! }),
      'delayed',
    ),
  ];
}

/** A categorical cell's label: Arrow columns hold strings, numbers or booleans there, which print as themselves. */
function categoryLabel(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/** The table as numbers: features row-major (categories as sorted-label codes, NaN missing) and the target (class ids or values). */
export function numericTable(t: BenchTable): { x: Float64Array; y: Float64Array; classes: string[] } {
  const n = t.frame.numRows();
  const d = t.features.length;
  const x = new Float64Array(n * d);
  t.features.forEach((name, j) => {
    const values = t.frame.array(name) as ArrayLike<unknown>;
    const codes = t.categorical.includes(name)
      ? new Map(
          [
            ...new Set(
              Array.from(values)
                .filter((v) => v != null)
                .map(categoryLabel),
            ),
          ]
            .sort()
            .map((c, i) => [c, i]),
        )
      : null;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      x[i * d + j] =
        v == null || (typeof v === 'number' && Number.isNaN(v))
          ? NaN
          : codes
            ? codes.get(categoryLabel(v))!
            : Number(v);
    }
  });
  const raw = t.frame.array(t.target) as ArrayLike<unknown>;
  const classes = t.task === 'classification' ? [...new Set(Array.from(raw).map(String))].sort() : [];
  const index = new Map(classes.map((c, i) => [c, i]));
  const y = Float64Array.from(Array.from(raw), (v) =>
    t.task === 'classification' ? index.get(String(v))! : Number(v),
  );
  return { x, y, classes };
}

/** Writes `numericTable(t)` and the split to `dir` (x.f64, y.f64, train.i32, test.i32, meta.json) for the Python peers. */
export function writeTable(t: BenchTable, dir: string): string {
  const out = join(dir, t.name);
  mkdirSync(out, { recursive: true });
  const { x, y, classes } = numericTable(t);
  writeFileSync(join(out, 'x.f64'), new Uint8Array(x.buffer));
  writeFileSync(join(out, 'y.f64'), new Uint8Array(y.buffer));
  writeFileSync(join(out, 'train.i32'), new Uint8Array(Int32Array.from(t.train).buffer));
  writeFileSync(join(out, 'test.i32'), new Uint8Array(Int32Array.from(t.test).buffer));
  writeFileSync(
    join(out, 'meta.json'),
    JSON.stringify({ name: t.name, task: t.task, rows: t.frame.numRows(), features: t.features, classes }),
  );
  return out;
}
