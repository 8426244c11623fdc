/**
 * `@lepton/server/preprocess`: the one implementation of "apply a deployment's fitted transforms to raw records".
 * The server runs it on requests with `"parameters": { "lepton_preprocess": true }`; the library imports it to
 * build those requests. Pure and dependency-free: it reads the JSON `lepton.preprocess` writes.
 * @packageDocumentation
 */
export { parseTransforms, TRANSFORM_KINDS, type Category, type Step, type TransformJSON } from './format.js';
export { compileTransforms, type CompileOptions, type Preprocessor } from './compile.js';
export { decodeRecords, modelPreprocessor, PREPROCESS_PARAMETER, RECORDS_INPUT, recordsRequest, type ModelPreprocessor } from './records.js';
export {
  compileText, learnVocabulary, ngramRange, ngramsOf, OOV_TOKEN, outputWidth, PAD_TOKEN, splitter, standardizeText, TextOptionError, tokenIds, tokenizer, tokenStart, vectorizeInto, vectorizeTexts, vectorizeWordsInto, wordTokenizer,
  type IdfFormula, type OutputMode, type Splitter, type SplitJSON, type Standardize, type TextConfigJSON, type TextState, type TextVectorizing, type Tokenizer,
} from './text.js';
