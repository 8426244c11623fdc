/**
 * `@lepton/server/preprocess`: the one implementation of "apply a deployment's fitted transforms to raw records".
 * The server runs it on requests with `"parameters": { "lepton_preprocess": true }`; the library imports it to
 * build those requests. The records path is pure and dependency-free: it reads the JSON `lepton.preprocess` writes.
 * Raw inputs (`raw.ts`) and images (`image.ts`: the decoding `lepton.read.images` trains on, with sharp, loaded on
 * first use) and class names (`labels.ts`) live here too, so training and serving share one implementation.
 * @packageDocumentation
 */
export { parseTransforms, TRANSFORM_KINDS, type Category, type Step, type TransformJSON } from './format.js';
export {
  DATE_FEATURES,
  dateFeatureFunction,
  dateFeatureNames,
  dateMillis,
  type DateFeature,
  type DateFeatureSpec,
} from './date-features.js';
export { compileTransforms, type CompileOptions, type Preprocessor } from './compile.js';
export {
  decodeRecords,
  modelPreprocessor,
  PREPROCESS_PARAMETER,
  RECORDS_INPUT,
  recordsRequest,
  type ModelPreprocessor,
} from './records.js';
export {
  decodeRawInput,
  parseRawInput,
  RAW_INPUT_KINDS,
  RAW_INPUT_NAMES,
  rawInputRequest,
  type RawInputKind,
  type RawInputSpec,
} from './raw.js';
export { checkTextModel, decodeTexts, parseTextSpec, type TextSpec } from './text-input.js';
export {
  decodeImage,
  decodeSmallJpeg,
  IMAGE_FITS,
  isJpeg,
  ImageDecodeError,
  imageSize,
  MAX_INPUT_PIXELS,
  parseImageSpec,
  PIXEL_SCALE,
  pixelsToFloat,
  SMALL_JPEG_BYTES,
  type DecodeOptions,
  type ImageFit,
  type ImageHeader,
  type ImageSpec,
} from './image.js';
export { LABEL_OUTPUT, LABEL_SPEC, labelOutput, labelsOf, parseClasses } from './labels.js';
export {
  compileText,
  learnVocabulary,
  ngramRange,
  ngramsOf,
  OOV_TOKEN,
  outputWidth,
  PAD_TOKEN,
  splitter,
  standardizeText,
  TextOptionError,
  tokenIds,
  tokenizer,
  tokenStart,
  vectorizeInto,
  vectorizeTexts,
  vectorizeWordsInto,
  wordTokenizer,
  type IdfFormula,
  type OutputMode,
  type Splitter,
  type SplitJSON,
  type Standardize,
  type TextConfigJSON,
  type TextState,
  type TextVectorizing,
  type Tokenizer,
} from './text.js';
