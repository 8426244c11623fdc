import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';
import { commRequest, kernelFor } from '../kernel/bridge.js';
import type { TrainingBundle } from '../training/series.js';
import { TrainingView } from '../training/view.js';

/** The bundle `lepton.fit` emits (and updates in place while it trains). */
export const TRAINING_MIME = 'application/vnd.lepton.training+json';

/** The live training chart, as an output renderer; JupyterLab calls `renderModel` again on every update. */
class TrainingRenderer extends Widget implements IRenderMime.IRenderer {
  private readonly view: TrainingView;

  constructor(app: JupyterFrontEnd) {
    super();
    this.view = new TrainingView(this.node, {
      stop: async (runId) => {
        await commRequest(kernelFor(app, this.node), 'lepton.training', { action: 'stop', runId }, 10_000);
      },
    });
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.view.update(model.data[TRAINING_MIME] as unknown as TrainingBundle);
  }
}

/** Renders `application/vnd.lepton.training+json` as the live training chart with its Stop button. */
const plugin: JupyterFrontEndPlugin<void> = {
  id: '@lepton/extension:training',
  description: 'Live training charts for lepton.fit, with a Stop button.',
  autoStart: true,
  requires: [IRenderMimeRegistry],
  activate,
};

function activate(app: JupyterFrontEnd, rendermime: IRenderMimeRegistry): void {
  rendermime.addFactory({ safe: true, mimeTypes: [TRAINING_MIME], defaultRank: 0, createRenderer: () => new TrainingRenderer(app) }, 0);
}

export default plugin;
