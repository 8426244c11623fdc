// Helpers for tests that display: a host that records outputs and can interrupt the "cell" (not exported by the package).
import type { Host } from '../display/host.js';
import type { MimeBundle } from './mime.js';
import { DisplayError } from './errors.js';

/** A host that records displays and updates, and aborts the cell on demand. */
export function recordingHost() {
  const outputs: { kind: 'display' | 'update'; id: string | undefined; bundle: MimeBundle }[] = [];
  let abort = new AbortController();
  const host: Host = {
    display: (bundle, options) => outputs.push({ kind: 'display', id: options?.id, bundle }),
    update: (id, bundle) => outputs.push({ kind: 'update', id, bundle }),
    clear() {},
    signal: () => abort.signal,
    openComm: () => {
      throw new DisplayError('LEPTON_DISPLAY_NO_FRONTEND', 'no comms');
    },
    registerCommTarget: () => {
      throw new DisplayError('LEPTON_DISPLAY_NO_FRONTEND', 'no comms');
    },
    input: () => Promise.reject(new Error('no input')),
  };
  return { host, outputs, interrupt: () => abort.abort(), reset: () => (abort = new AbortController()) };
}
