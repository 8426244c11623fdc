export { display, type Display, type HelperOptions, type TextHelper } from './display.js';
export { DisplayError, type DisplayErrorCode } from './errors.js';
export type { ImageOptions, ImageSource } from './helpers.js';
export type { TensorLike } from './image.js';
export { promiseBundle } from './promise.js';
export { getHost, setHost, type Comm, type DisplayOptions, type Host } from './host.js';
export { displaySymbol, isDisplayable, plainText, toMimeBundle, type Displayable, type MimeBundle } from './mime.js';
