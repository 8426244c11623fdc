/**
 * The model card's "Download .tflite" button, kernel side: the card sends `{ action: 'tflite', modelId, quantize }`
 * on the `lepton.model` comm; the kernel exports the model the card shows with `export.tflite` (float32, float16 or
 * dynamic: the card has no calibration data for int8) and answers `{ action: 'tflite', ok: true, fileName, bytes,
 * base64 }` or `{ ok: false, code, error }`.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Comm } from '../../display/host.js';
import { LeptonError } from '../../core/errors.js';
import { tflite } from './tflite.js';
import {
  CARD_TFLITE_QUANTIZATIONS,
  type TfliteDownloadAnswer,
  type TfliteDownloadRequest,
} from '../../contract/comm.js';

/** The quantizations the card offers. */
export const cardQuantizations = CARD_TFLITE_QUANTIZATIONS;

export type { TfliteDownloadRequest };

/** A file name for the model: its name made safe, with the quantization. */
export function tfliteFileName(modelName: string, quantize: string): string {
  const base = modelName.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '') || 'model';
  return `${base}${quantize === 'float32' ? '' : `-${quantize}`}.tflite`;
}

/** Exports the card's model and sends the file's bytes (base64) back on `comm`. */
export async function answerTfliteDownload(
  comm: Comm,
  request: TfliteDownloadRequest,
  modelById: (id: string) => tf.LayersModel | undefined,
): Promise<void> {
  const send = (answer: TfliteDownloadAnswer) => comm.send(answer);
  const fail = (code: string, error: string) => send({ action: 'tflite', ok: false, code, error });
  if (typeof request.modelId !== 'string' || !cardQuantizations.includes(request.quantize)) {
    fail('LEPTON_BAD_REQUEST', `A .tflite request needs { modelId, quantize: ${cardQuantizations.join(' | ')} }.`);
    return;
  }
  const model = modelById(request.modelId);
  if (!model) {
    fail(
      'LEPTON_MODEL_GONE',
      `The model of this card (${request.modelId}) is no longer in the kernel (was the kernel restarted?). Run the cell that builds it again, then download.`,
    );
    return;
  }
  try {
    const exported = await tflite(
      model,
      undefined,
      request.quantize === 'float32' ? {} : { quantize: request.quantize },
    );
    send({
      action: 'tflite',
      ok: true,
      fileName: tfliteFileName(model.name, request.quantize),
      bytes: exported.sizeBytes,
      base64: Buffer.from(exported.data).toString('base64'),
    });
  } catch (error) {
    fail(
      error instanceof LeptonError ? (error as LeptonError).code : 'LEPTON_EXPORT_FAILED',
      error instanceof Error ? error.message : String(error),
    );
  }
}
