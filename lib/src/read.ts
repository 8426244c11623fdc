/**
 * The `lepton.read` namespace: the readers of tables (`csv`, `json`, `arrow`, `parquet`, … from `data/read.ts`) and
 * of image folders (`images`, from `images/read.ts`) under one name. It is put together here, above both folders,
 * because `images` builds on `data` (frames, errors): `data` re-exporting the image reader made a folder cycle.
 */
export * from './data/read.js';
export { images, IMAGE_EXTENSIONS, type ReadImagesOptions } from './images/read.js';
