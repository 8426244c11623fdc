/**
 * The errors of TFLite export beyond the exporters' shared ones (`../errors.ts`: unsupported layers and configs,
 * mismatches): bad options, missing calibration data, and TensorFlow Lite's interpreter missing or failing.
 */
import { LeptonError } from '../../core/errors.js';

/** The stable codes of TFLite export errors. */
export type TfliteErrorCode =
  | 'LEPTON_TFLITE_BAD_OPTION'
  | 'LEPTON_TFLITE_NO_CALIBRATION'
  | 'LEPTON_TFLITE_NO_INTERPRETER'
  | 'LEPTON_TFLITE_INTERPRETER_FAILED';

/** An error of `lepton.export.tflite` or of running a `.tflite` file. */
export class TfliteError extends LeptonError<TfliteErrorCode> {}
