export { display, type Display } from './display.js';
export { getHost, setHost, type Comm, type DisplayOptions, type Host } from './host.js';
export { displaySymbol, isDisplayable, plainText, toMimeBundle, type Displayable, type MimeBundle } from './mime.js';
