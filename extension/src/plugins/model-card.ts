import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';
import type { ManagementClient } from '../api/client.js';
import { DeploymentStatusView } from '../deployments/status.js';
import { commRequest, kernelFor } from '../kernel/bridge.js';
import { ModelCardView, type ModelCardData } from '../model/card-view.js';
import { IManagementClient } from '../tokens.js';
import { DEPLOYMENT_MIME, MODEL_COMM_TARGET, MODEL_MIME, type DeploymentCardData } from '@lepton/lib/contract';

/** How long a deploy may take (the first one starts the model server). */
const DEPLOY_TIMEOUT_MS = 120_000;

/** Saves base64 bytes as a file through the browser's download (a temporary object URL on a link). */
function saveFile(fileName: string, base64: string): void {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const link = Object.assign(document.createElement('a'), { href: url, download: fileName });
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 10_000);
}

/** A renderer whose live status lines stop refreshing when it goes away. */
class LiveRenderer extends Widget {
  protected readonly statuses: DeploymentStatusView[] = [];

  constructor(protected readonly client: ManagementClient) {
    super();
  }

  protected showStatus(node: HTMLElement, name: string): void {
    const status = new DeploymentStatusView(node, this.client, name);
    this.statuses.push(status);
    status.start();
  }

  override dispose(): void {
    for (const status of this.statuses) status.stop();
    super.dispose();
  }
}

/** The model card with its Deploy and Download .tflite buttons. */
class ModelCardRenderer extends LiveRenderer implements IRenderMime.IRenderer {
  private readonly view: ModelCardView;

  constructor(app: JupyterFrontEnd, client: ManagementClient) {
    super(client);
    this.view = new ModelCardView(this.node, {
      deploy: async (modelId, name, metrics) => {
        const answer = await commRequest(
          kernelFor(app, this.node),
          MODEL_COMM_TARGET,
          { action: 'deploy', modelId, name, ...(metrics ? { metrics } : {}) },
          DEPLOY_TIMEOUT_MS,
        );
        return answer.deployment;
      },
      showStatus: (node, name) => {
        this.showStatus(node, name);
      },
      downloadTflite: async (modelId, quantize) => {
        const answer = await commRequest(
          kernelFor(app, this.node),
          MODEL_COMM_TARGET,
          { action: 'tflite', modelId, quantize },
          DEPLOY_TIMEOUT_MS,
        );
        saveFile(answer.fileName, answer.base64);
        return { fileName: answer.fileName, bytes: answer.bytes };
      },
    });
  }

  // IRenderer's contract is a promise; async keeps a throw while rendering a rejection JupyterLab reports.
  // eslint-disable-next-line @typescript-eslint/require-await -- see above
  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.view.update(model.data[MODEL_MIME] as unknown as ModelCardData);
  }
}

/** A deployment card (`lepton.deploy`'s result) as a live status line. */
class DeploymentRenderer extends LiveRenderer implements IRenderMime.IRenderer {
  // IRenderer's contract is a promise; async keeps a throw while rendering a rejection JupyterLab reports.
  // eslint-disable-next-line @typescript-eslint/require-await -- see above
  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const { name } = model.data[DEPLOYMENT_MIME] as unknown as DeploymentCardData;
    for (const status of this.statuses.splice(0)) status.stop();
    this.node.replaceChildren();
    this.addClass('jp-LeptonDeploymentCard');
    this.showStatus(this.node.appendChild(document.createElement('div')), name);
    // The text form carries the URL and the curl and TypeScript calls.
    const howTo = this.node.appendChild(document.createElement('details'));
    howTo.appendChild(document.createElement('summary')).textContent = 'How to call it';
    // Lepton's deployment bundle always carries text/plain as one string.
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- see above
    howTo.appendChild(document.createElement('pre')).textContent = String(model.data['text/plain'] ?? '');
  }
}

/** Renders model cards (with Deploy) and deployment cards (with live status). */
const plugin: JupyterFrontEndPlugin<void> = {
  id: '@lepton/extension:model-card',
  description: 'Model cards with a Deploy button, and live deployment cards.',
  autoStart: true,
  requires: [IRenderMimeRegistry, IManagementClient],
  activate,
};

function activate(app: JupyterFrontEnd, rendermime: IRenderMimeRegistry, client: ManagementClient): void {
  rendermime.addFactory(
    { safe: true, mimeTypes: [MODEL_MIME], defaultRank: 0, createRenderer: () => new ModelCardRenderer(app, client) },
    0,
  );
  rendermime.addFactory(
    { safe: true, mimeTypes: [DEPLOYMENT_MIME], defaultRank: 0, createRenderer: () => new DeploymentRenderer(client) },
    0,
  );
}

export default plugin;
