import { plainText, type MimeBundle } from './mime.js';
import { DisplayError } from './errors.js';

/** Options of one display output. */
export interface DisplayOptions {
  /** An id that later updates address; outputs with the same id are updated together. */
  id?: string | undefined;
  /** Metadata sent beside the bundle (e.g. image sizes). */
  metadata?: Record<string, unknown>;
}

/**
 * A message's data as a comm handler receives it: whatever JSON the front end sent. It stays `any` on purpose:
 * notebook cells read it as `(comm, data) => data.x`, the way Jupyter users write comm handlers, and `unknown` would
 * make every such cell fail to compile.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- public notebook-facing type; see the comment above.
export type CommData = any;

/** A comm channel between the kernel and a front end (Jupyter's comm protocol). */
export interface Comm {
  /** The comm's id, shared by both ends. */
  readonly id: string;
  /** The target the comm was opened on. */
  readonly targetName: string;
  /** Sends a message to the front end. */
  send(data: unknown, buffers?: ArrayBufferView[]): void;
  /** Registers a handler for messages from the front end. */
  onMessage(handler: (data: CommData, buffers: ArrayBufferView[]) => void): void;
  /** Registers a handler called once the comm closes (from either end). */
  onClose(handler: (data: CommData) => void): void;
  /** Closes the comm. */
  close(data?: unknown): void;
  /** Whether the comm is closed. */
  readonly closed: boolean;
}

/**
 * What the environment running Lepton provides: the Lepton kernel installs one that speaks Jupyter's protocol;
 * plain Node gets the console fallback below.
 */
export interface Host {
  /** Shows a bundle as a new output of the current cell. */
  display(bundle: MimeBundle, options?: DisplayOptions): void;
  /** Replaces every output that was displayed with `id`. */
  update(id: string, bundle: MimeBundle, options?: DisplayOptions): void;
  /** Clears the current cell's outputs (when `wait`, once new output arrives). */
  clear(wait?: boolean): void;
  /** The abort signal of the running cell: aborted when the user interrupts it. */
  signal(): AbortSignal;
  /** Opens a comm to the front end on `targetName`. */
  openComm(targetName: string, data?: unknown, metadata?: Record<string, unknown>): Comm;
  /** Registers a handler for comms the front end opens on `targetName`. */
  registerCommTarget(targetName: string, handler: (comm: Comm, data: CommData) => void): void;
  /** Asks the user for a line of input (Jupyter's stdin channel). */
  input(prompt: string, password: boolean): Promise<string>;
}

const neverAborted = new AbortController().signal;

/** A bundle's text/plain as the console prints it: '' when it has none. */
function consoleText(bundle: MimeBundle): string {
  const text = bundle['text/plain'];
  if (typeof text === 'string') return text;
  // A text/plain that is not a string breaks the bundle contract; show what it holds rather than '[object Object]'.
  return text === undefined || text === null ? '' : plainText(text);
}

/** The host outside a kernel: text to stdout, no comms, no input. */
const consoleHost: Host = {
  display(bundle) {
    process.stdout.write(consoleText(bundle) + '\n');
  },
  update(_id, bundle) {
    process.stdout.write(consoleText(bundle) + '\n');
  },
  clear() {},
  signal: () => neverAborted,
  openComm() {
    throw new DisplayError(
      'LEPTON_DISPLAY_NO_FRONTEND',
      'Comms need a Jupyter front end: run this code in the Lepton kernel.',
    );
  },
  registerCommTarget() {
    throw new DisplayError(
      'LEPTON_DISPLAY_NO_FRONTEND',
      'Comms need a Jupyter front end: run this code in the Lepton kernel.',
    );
  },
  input() {
    return Promise.reject(new Error('Input needs a Jupyter front end: run this code in the Lepton kernel.'));
  },
};

const hostKey = Symbol.for('lepton.host');
type WithHost = { [hostKey]?: Host };

/** Installs the host (the kernel does this once at start). Kept on globalThis so every copy of the library sees it. */
export function setHost(host: Host): void {
  (globalThis as WithHost)[hostKey] = host;
}

/** The current host: the kernel's, or the console fallback. */
export function getHost(): Host {
  return (globalThis as WithHost)[hostKey] ?? consoleHost;
}
