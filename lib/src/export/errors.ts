/**
 * The errors of Lepton's export tools. Each carries a stable `code` that programs and tests match, and a message
 * that names the problem and its fix.
 */
import { LeptonError } from '../core/errors.js';

/** The stable codes of export errors. */
export type ExportErrorCode =
  | 'LEPTON_UNSUPPORTED_LAYER'
  | 'LEPTON_UNSUPPORTED_CONFIG'
  | 'LEPTON_EXPORT_MISMATCH'
  | 'LEPTON_BAD_MODEL'
  | 'LEPTON_LOAD_ERROR'
  | 'LEPTON_UNSUPPORTED_TRANSFORM'
  | 'LEPTON_BAD_PIPELINE'
  /** The exporter needs a little-endian host (tensor data is written in the host's byte order); every x86 and ARM machine Node runs on is one. */
  | 'LEPTON_UNSUPPORTED_HOST';

/** Any error raised while exporting or loading a model. */
export class ExportError extends LeptonError<ExportErrorCode> {}

/** A layer class an exporter (ONNX by default, or TFLite) has no converter for; the message lists the supported ones. */
export class UnsupportedLayerError extends ExportError {
  /** The tfjs class name of the layer, e.g. `Conv3D`. */
  readonly layerClass: string;
  /** The layer classes that can be exported. */
  readonly supported: readonly string[];

  constructor(layerClass: string, layerName: string, supported: readonly string[], exporter = 'ONNX') {
    super(
      'LEPTON_UNSUPPORTED_LAYER',
      `Layer ${JSON.stringify(layerName)} is a ${layerClass}, which the ${exporter} exporter does not support. ` +
        `Supported layers: ${supported.join(', ')}. Replace the layer, or export with lepton.export.tfjs(model, dir).`,
    );
    this.layerClass = layerClass;
    this.supported = supported;
  }
}

/** A supported layer used with an option the exporter cannot express (e.g. `stateful` RNNs). */
export class UnsupportedConfigError extends ExportError {
  constructor(layerClass: string, layerName: string, problem: string) {
    super('LEPTON_UNSUPPORTED_CONFIG', `Layer ${JSON.stringify(layerName)} (${layerClass}): ${problem}`);
  }
}
