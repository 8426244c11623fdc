import type { ErrorBody, InferResponse } from '@lepton/server';

/**
 * A JSON answer of the model server's infer route as a test reads it: the response on success, the error body
 * otherwise; which one came is what the test asserts, so every field is optional here.
 */
export type InferAnswer = Partial<InferResponse> & Partial<ErrorBody>;
