/**
 * The ONNX bytes compression works on, resolved by the library's one model resolver (`export/model-source.ts`).
 */
import { resolveOnnx, type ModelSource } from '../export/model-source.js';
import { CompressError } from './errors.js';

/**
 * The ONNX bytes of `model`. Models not yet in ONNX are exported unverified: compression measures the result
 * itself. Throws `LEPTON_COMPRESS_BAD_INPUT` for anything that is not a model.
 */
export async function onnxBytesOf(model: ModelSource): Promise<Uint8Array> {
  const bytes = await resolveOnnx(model, { verify: false });
  if (bytes) return bytes;
  throw new CompressError(
    'LEPTON_COMPRESS_BAD_INPUT',
    'Expected a tfjs LayersModel, the result of lepton.export.onnx, a compressed model, or .onnx bytes.',
  );
}
