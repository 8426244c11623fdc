/**
 * The errors of Lepton's ONNX layer (codec and graph builder), below every capability that makes or reads ONNX
 * (`export`, `compress`, `deploy`). Each carries a stable `code` that programs and tests match, and a message that
 * names the problem and its fix.
 */
import { LeptonError } from '../core/errors.js';

/** The stable codes of ONNX codec and graph errors. */
export type OnnxErrorCode =
  /** The exporter needs a little-endian host (tensor data is written in the host's byte order); every x86 and ARM machine Node runs on is one. */
  | 'LEPTON_UNSUPPORTED_HOST'
  /** An ONNX file uses a feature Lepton's reader does not read (an attribute type, tensor data stored outside `raw_data`): re-save it with its data inline, e.g. `onnx.save(model, path, save_as_external_data=False)`. */
  | 'LEPTON_UNREADABLE_ONNX'
  /** Calibration saw a NaN or infinite activation, so no int8 scale covers it: check the calibration data (and the model's outputs on it) for NaN or Infinity. */
  | 'LEPTON_NON_FINITE_RANGE';

/** An ONNX graph that cannot be written on this host, an ONNX file Lepton's reader cannot read, or a range int8 cannot cover. */
export class OnnxError extends LeptonError<OnnxErrorCode> {}
