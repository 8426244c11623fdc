/**
 * The model card's Deploy button: JupyterLab's model card opens a comm on `lepton.model` and sends
 * `{ action: 'deploy', modelId, name }`; the kernel deploys that model with `lepton.deploy` and answers
 * `{ action: 'deploy', ok: true, deployment }` (the deployment card's JSON) or `{ ok: false, code, error }`.
 * Its "Download .tflite" button sends `{ action: 'tflite', modelId, quantize }` on the same comm
 * (`export/tflite/card-download.ts` answers).
 */
import { registerTargetOnce } from '../comm/once.js';
import type { Comm } from '../display/host.js';
import { deploy } from './deploy.js';
import { DeployError } from './errors.js';
import { answerTfliteDownload } from '../export/tflite/card-download.js';
import { modelById } from '../train/model-ids.js';
import { onModelCardShown } from '../train/summary.js';
import {
  MODEL_COMM_TARGET,
  type DeployAnswer,
  type DeployRequest,
  type TfliteDownloadRequest,
} from '../contract/comm.js';

/** The comm target the model card's Deploy button opens. */
export const modelCommTarget = MODEL_COMM_TARGET;

/** Sends the answer to a deploy request, typed by the contract. */
const reply = (comm: Comm, answer: DeployAnswer) => comm.send(answer);

async function answer(comm: Comm, request: DeployRequest): Promise<void> {
  const model = modelById(request.modelId);
  if (!model) {
    reply(comm, {
      action: 'deploy',
      ok: false,
      code: 'LEPTON_MODEL_GONE',
      error: `The model of this card (${request.modelId}) is no longer in the kernel (was the kernel restarted?). Run the cell that builds it again, then deploy.`,
    });
    return;
  }
  try {
    const deployment = await deploy(model, {
      name: request.name,
      ...(request.metrics ? { metrics: request.metrics } : {}),
    });
    reply(comm, { action: 'deploy', ok: true, deployment: deployment.toJSON() });
  } catch (error) {
    const code = error instanceof DeployError ? error.code : 'LEPTON_DEPLOY_FAILED';
    reply(comm, { action: 'deploy', ok: false, code, error: error instanceof Error ? error.message : String(error) });
  }
}

function handle(comm: Comm, data: unknown): void {
  const act = (message: unknown) => {
    if ((message as { action?: unknown } | null)?.action === 'tflite') {
      void answerTfliteDownload(comm, message as TfliteDownloadRequest, modelById);
      return;
    }
    const request = message as Partial<DeployRequest> | null;
    if (request?.action !== 'deploy') return;
    if (typeof request.modelId !== 'string' || typeof request.name !== 'string' || request.name === '') {
      reply(comm, {
        action: 'deploy',
        ok: false,
        code: 'LEPTON_BAD_REQUEST',
        error: 'A deploy request needs { modelId, name }.',
      });
      return;
    }
    void answer(comm, request as DeployRequest);
  };
  act(data);
  comm.onMessage(act);
}

/** Registers the `lepton.model` comm target on the current host (once per host; nothing to do outside a kernel). */
export function registerModelCommTarget(): void {
  registerTargetOnce(modelCommTarget, handle);
}

// The card's Deploy button talks to this kernel on `lepton.model`: registered when a model card is shown (a host
// exists by then), by this module rather than by the card, which sits below deploy (train/summary.ts).
onModelCardShown(registerModelCommTarget);
