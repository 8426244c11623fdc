/**
 * The sidecar file written beside an exported `.onnx` model (`model.onnx` → `model.meta.json`): what a server
 * needs to serve it without opening the model (input and output names, shapes, dtypes), and where it came from.
 */
import { readFileSync } from 'node:fs';
import { ExportError } from './errors.js';
import type { TfjsTensorSpec } from '@lepton/server/wire';

/** The `format` tag of a sidecar file. */
export const META_FORMAT = 'lepton.onnx-meta';

/** The sidecar file's contents (version 1). */
export interface OnnxModelMeta {
  /** Always `lepton.onnx-meta`. */
  format: typeof META_FORMAT;
  /** The schema version of this file. */
  version: 1;
  /** The model file's name, relative to the sidecar's folder. */
  model: string;
  /** The model file's size in bytes. */
  bytes: number;
  /** The model file's SHA-256, hex. */
  sha256: string;
  /** The ONNX opset of the default domain. */
  opset: number;
  /** The inputs, in order, in tfjs's layout. */
  inputs: TfjsTensorSpec[];
  /** The outputs, in order. */
  outputs: TfjsTensorSpec[];
  /** What was exported: the tfjs model's name and class. */
  source: {
    /** The framework of the source model: `tfjs`, or `lepton` for Lepton's own models (gradient boosting). */
    framework: 'tfjs' | 'lepton';
    /** The model's name, e.g. `sequential_1`. */
    name: string;
    /** The model's class, e.g. `Sequential` or `Functional`. */
    className: string;
  };
  /** The Lepton version that wrote the file. */
  producerVersion: string;
  /** When it was written (ISO 8601). */
  createdAt: string;
  /** The check against tfjs at export time, if it ran. */
  verification?: {
    /** The largest |onnx − tfjs| over all outputs. */
    maxAbsDiff: number;
    /** The tolerance used: each element must satisfy |onnx − tfjs| ≤ tolerance · max(1, |tfjs|). */
    tolerance: number;
    /** The batch size of the random inputs. */
    batch: number;
  };
}

/** The sidecar path of a model path: `x.onnx` → `x.meta.json` (other names get `.meta.json` appended). */
export function metaPathFor(onnxPath: string): string {
  return onnxPath.endsWith('.onnx') ? `${onnxPath.slice(0, -'.onnx'.length)}.meta.json` : `${onnxPath}.meta.json`;
}

/** Reads and checks a sidecar file. */
export function readMeta(path: string): OnnxModelMeta {
  let meta: Partial<OnnxModelMeta>;
  try {
    meta = JSON.parse(readFileSync(path, 'utf8')) as Partial<OnnxModelMeta>;
  } catch (error) {
    throw new ExportError('LEPTON_LOAD_ERROR', `cannot read ONNX sidecar ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (
    meta.format !== META_FORMAT ||
    meta.version !== 1 ||
    !Array.isArray(meta.inputs) ||
    !Array.isArray(meta.outputs)
  ) {
    throw new ExportError(
      'LEPTON_LOAD_ERROR',
      `${path} is not a Lepton ONNX sidecar (format ${META_FORMAT}, version 1); re-export the model with lepton.export.onnx.`,
    );
  }
  return meta as OnnxModelMeta;
}
