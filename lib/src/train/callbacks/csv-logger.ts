import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { TrainError } from '../errors.js';
import type { Callback } from './callback.js';

/** Options of `csvLogger`. */
export interface CsvLoggerOptions {
  /** The column separator (default `,`). */
  separator?: string;
  /** Add to an existing file with the same columns instead of replacing it (default false). */
  append?: boolean;
}

/** A value as the CSV cell it becomes (full precision; NaN and infinities as JavaScript spells them). */
function cell(value: number | undefined): string {
  return value === undefined ? '' : String(value);
}

/**
 * Writes one line per epoch to a CSV file (Keras's CSVLogger): `epoch` (1-based, as in the live chart and the
 * History) and every log of the run (`loss`, metrics, `val_*`). Each line is written when its epoch ends, so an
 * interrupted run keeps the epochs it finished. With `append`, a later run adds to the file when its columns match.
 * @param path the CSV file (its folder is created)
 * @param options separator, append
 * @returns a callback for `lepton.fit`'s `callbacks`
 * @example await lepton.fit(model, data, { epochs: 5, callbacks: [lepton.callbacks.csvLogger('logs/run1.csv')] })
 */
export function csvLogger(path: string, options: CsvLoggerOptions = {}): Callback {
  const separator = options.separator ?? ',';
  if (separator.length === 0 || /["\r\n]/.test(separator)) {
    throw new TrainError(
      'LEPTON_TRAIN_BAD_OPTION',
      `csvLogger: the separator ${JSON.stringify(separator)} cannot separate CSV columns; use ',', ';' or '\\t'.`,
    );
  }
  let columns: readonly string[] = [];
  const write = (write: () => void) => {
    try {
      write();
    } catch (error) {
      throw new TrainError(
        'LEPTON_TRAIN_LOG_FILE',
        `csvLogger cannot write ${path}: ${(error as Error).message}. Pass a path in a writable folder.`,
        { cause: error },
      );
    }
  };
  return {
    setRun(run) {
      columns = run.logNames;
      const header = ['epoch', ...columns].join(separator);
      if (options.append && existsSync(path)) {
        const first = readFileSync(path, 'utf8').split(/\r?\n/, 1)[0] ?? '';
        if (first === header) return;
        if (first !== '') {
          throw new TrainError(
            'LEPTON_TRAIN_LOG_FILE',
            `csvLogger cannot append to ${path}: its columns are ${first}, this run's are ${header}. Log to another file, or pass append: false to replace it.`,
          );
        }
      }
      write(() => {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, header + '\n');
      });
    },
    onEpochEnd(epoch, logs) {
      write(() =>
        appendFileSync(path, [String(epoch + 1), ...columns.map((name) => cell(logs[name]))].join(separator) + '\n'),
      );
    },
  };
}
