/**
 * TensorFlow Lite metadata (metadata schema 1.5.0, `schema/metadata_schema.fbs`): the model's name and
 * description, each input's normalization (a NormalizationOptions process unit: `(x − mean) / std`, what Android's
 * TFLite Support library applies before feeding), and the class labels as a `TENSOR_AXIS_LABELS` file on the
 * output. The metadata flatbuffer goes in the model's `TFLITE_METADATA` buffer; the label file goes in a zip archive
 * appended to the model (what TensorFlow's MetadataPopulator writes), which interpreters ignore and Android
 * tooling reads.
 */
import * as flatbuffers from 'flatbuffers';
import { crc32 } from 'node:zlib';
import { AssociatedFileT } from './generated/metadata/tflite/associated-file.js';
import { AssociatedFileType } from './generated/metadata/tflite/associated-file-type.js';
import { ModelMetadata, ModelMetadataT } from './generated/metadata/tflite/model-metadata.js';
import { NormalizationOptionsT } from './generated/metadata/tflite/normalization-options.js';
import { ProcessUnitT } from './generated/metadata/tflite/process-unit.js';
import { ProcessUnitOptions } from './generated/metadata/tflite/process-unit-options.js';
import { SubGraphMetadataT } from './generated/metadata/tflite/sub-graph-metadata.js';
import { TensorMetadataT } from './generated/metadata/tflite/tensor-metadata.js';

/** The name of the model buffer that holds the metadata. */
export const METADATA_BUFFER_NAME = 'TFLITE_METADATA';

/** The label file's name inside the appended archive. */
export const LABELS_FILE = 'labels.txt';

/** An input's normalization: the model expects `(raw − mean) / std`, per channel or one value for all. */
export interface Normalization {
  /** Means, one per channel (or one). */
  mean: number[];
  /** Standard deviations, one per channel (or one). */
  std: number[];
}

/** What the metadata says. */
export interface MetadataInfo {
  /** The model's name. */
  name: string;
  /** A description. */
  description: string;
  /** Input tensor names, in order. */
  inputs: string[];
  /** Output tensor names, in order. */
  outputs: string[];
  /** Class labels of the first output's last axis. */
  labels?: readonly string[];
  /** The first input's normalization. */
  normalization?: Normalization;
}

/** The `TFLITE_METADATA` flatbuffer. */
export function metadataBuffer(info: MetadataInfo): Uint8Array {
  const inputs = info.inputs.map((name, k) => {
    const units =
      k === 0 && info.normalization
        ? [
            new ProcessUnitT(
              ProcessUnitOptions.NormalizationOptions,
              new NormalizationOptionsT(info.normalization.mean, info.normalization.std),
            ),
          ]
        : [];
    return new TensorMetadataT(name, null, [], null, units);
  });
  const outputs = info.outputs.map((name, k) => {
    const files =
      k === 0 && info.labels
        ? [
            new AssociatedFileT(
              LABELS_FILE,
              'Labels of the output classes, one per line',
              AssociatedFileType.TENSOR_AXIS_LABELS,
            ),
          ]
        : [];
    return new TensorMetadataT(name, null, [], null, [], null, files);
  });
  const subgraph = new SubGraphMetadataT(info.name, null, inputs, outputs);
  const meta = new ModelMetadataT(info.name, info.description, null, [subgraph], 'Lepton', null, [], '1.0.0');
  const builder = new flatbuffers.Builder(1024);
  ModelMetadata.finishModelMetadataBuffer(builder, meta.pack(builder));
  return builder.asUint8Array().slice();
}

/** Reads a `TFLITE_METADATA` buffer back (for tests and tools). */
export function readMetadata(bytes: Uint8Array): ModelMetadataT {
  return ModelMetadata.getRootAsModelMetadata(new flatbuffers.ByteBuffer(bytes)).unpack();
}

/**
 * `model` with a zip archive of `files` appended (stored, not compressed). Offsets are counted from the start of the
 * whole file, as an archive appended to other bytes must have them.
 */
export function appendArchive(model: Uint8Array, files: readonly { name: string; data: Uint8Array }[]): Uint8Array {
  const parts: Uint8Array[] = [model];
  const central: Uint8Array[] = [];
  let offset = model.length;
  for (const file of files) {
    const name = new TextEncoder().encode(file.name);
    const crc = crc32(file.data);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 10, true); // version needed: 1.0
    local.setUint32(14, crc, true);
    local.setUint32(18, file.data.length, true);
    local.setUint32(22, file.data.length, true);
    local.setUint16(26, name.length, true);
    const entry = new DataView(new ArrayBuffer(46));
    entry.setUint32(0, 0x02014b50, true);
    entry.setUint16(4, 10, true);
    entry.setUint16(6, 10, true);
    entry.setUint32(16, crc, true);
    entry.setUint32(20, file.data.length, true);
    entry.setUint32(24, file.data.length, true);
    entry.setUint16(28, name.length, true);
    entry.setUint32(42, offset, true);
    parts.push(new Uint8Array(local.buffer), name, file.data);
    central.push(new Uint8Array(entry.buffer), name);
    offset += 30 + name.length + file.data.length;
  }
  const centralSize = central.reduce((n, c) => n + c.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, files.length, true);
  end.setUint16(10, files.length, true);
  end.setUint32(12, centralSize, true);
  end.setUint32(16, offset, true);
  const all = [...parts, ...central, new Uint8Array(end.buffer)];
  const out = new Uint8Array(all.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of all) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
