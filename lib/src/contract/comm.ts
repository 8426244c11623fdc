/**
 * The comms between the JupyterLab extension and the kernel: target names, and for each target the requests the
 * front end sends (a union on `action`) and the answers the kernel sends back (a union on `ok`). The library's
 * comm handlers and the extension's `commRequest` are both typed by these.
 */
import type { DeploymentCardData } from './bundles.js';

/** The comm the training chart's Stop button opens. */
export const TRAINING_COMM_TARGET = 'lepton.training';

/** The comm the model card's Deploy and "Download .tflite" buttons open. */
export const MODEL_COMM_TARGET = 'lepton.model';

/** A request that failed: a stable code (see docs/errors.md) and a message naming the problem and the fix. */
export interface CommFailure<A extends string> {
  action: A;
  ok: false;
  code?: string;
  error: string;
}

/** Stop a running `lepton.fit` by its run id. */
export interface StopRequest {
  action: 'stop';
  runId: string;
}

/** The answer to a Stop: whether a run of that id was running. */
export type StopAnswer = { action: 'stop'; runId: string; ok: true } | (CommFailure<'stop'> & { runId: string });

/** Deploy the model a card shows under `name` (`lepton.deploy`), with the card's last metrics. */
export interface DeployRequest {
  action: 'deploy';
  modelId: string;
  name: string;
  metrics?: Record<string, number>;
}

/** The deployment made, as its card's data. */
export type DeployAnswer = { action: 'deploy'; ok: true; deployment: DeploymentCardData } | CommFailure<'deploy'>;

/** The quantizations the card's "Download .tflite" offers (int8 needs calibration data: export it from code). */
export const CARD_TFLITE_QUANTIZATIONS = ['float32', 'float16', 'dynamic'] as const;

/** Export the model a card shows to TFLite and send the file back. */
export interface TfliteDownloadRequest {
  action: 'tflite';
  modelId: string;
  quantize: (typeof CARD_TFLITE_QUANTIZATIONS)[number];
}

/** The .tflite file: its name, size in bytes, and content as base64. */
export type TfliteDownloadAnswer =
  { action: 'tflite'; ok: true; fileName: string; bytes: number; base64: string } | CommFailure<'tflite'>;

/** Each comm target's requests. */
export interface CommRequests {
  [TRAINING_COMM_TARGET]: StopRequest;
  [MODEL_COMM_TARGET]: DeployRequest | TfliteDownloadRequest;
}

/** Each request's answer, by action. */
export interface CommAnswers {
  stop: StopAnswer;
  deploy: DeployAnswer;
  tflite: TfliteDownloadAnswer;
}

/** A comm target of Lepton's. */
export type CommTarget = keyof CommRequests;

/** The answer to request `R`, when it succeeded. */
export type CommSuccess<R extends { action: keyof CommAnswers }> = Extract<CommAnswers[R['action']], { ok: true }>;
