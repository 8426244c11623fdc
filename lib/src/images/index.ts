/**
 * Images: `lepton.read.images` reads labelled image files into an `ImageDataset` (decoded with the server's
 * implementation, cached on disk, streamed when large), which `lepton.fit` and `lepton.evaluate` take directly.
 * @packageDocumentation
 */
export { images, IMAGE_EXTENSIONS, type ReadImagesOptions } from './read.js';
export {
  ImageDataset,
  MAX_TENSOR_BYTES,
  type BatchOptions,
  type ImageTensors,
  type SkippedFile,
  type TrainedOn,
} from './dataset.js';
export { ImageError, type ImageErrorCode } from './errors.js';
