/**
 * The errors of backend selection and of Lepton's wasm training kernels. Each carries a stable `code` that programs
 * and tests match, and a message that names the problem and its fix.
 */
import { LeptonError } from '../core/errors.js';

/** The stable codes of backend errors. */
export type BackendErrorCode =
  /** `lepton.backend(name)` got a name that is not one of Lepton's backends (the message lists them). */
  | 'LEPTON_BACKEND_UNKNOWN'
  /** The backend asked for cannot run here (the message says why for each candidate): pick another, or install what it needs (tfjs-node for `tensorflow`). */
  | 'LEPTON_BACKEND_UNAVAILABLE'
  /** The installed tfjs wasm backend lacks a kernel Lepton's training kernels call: install the `@tensorflow/tfjs-backend-wasm` version Lepton pins. */
  | 'LEPTON_BACKEND_KERNEL'
  /** An operation's options are outside what Lepton's wasm gradient kernels take (channels-first data, dilations above 1): use channels-last data and dilation 1, or the `cpu` backend. */
  | 'LEPTON_BACKEND_UNSUPPORTED'
  /** A gather index is outside the tensor's first dimension (the message gives the index and the valid range): check the indices. */
  | 'LEPTON_BACKEND_BAD_INDEX';

/** A backend that cannot be chosen, or an operation Lepton's wasm kernels cannot run. */
export class BackendError extends LeptonError<BackendErrorCode> {}
