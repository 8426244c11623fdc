import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { Widget } from '@lumino/widgets';
import { commRequest, kernelFor } from '../kernel/bridge.js';
import { trainingSettings, type TrainingSettings } from '../settings/settings.js';
import type { TrainingBundle } from '../training/series.js';
import { TrainingView } from '../training/view.js';
import { TRAINING_COMM_TARGET, TRAINING_MIME } from '@lepton/lib/contract';

/** The live training chart, as an output renderer; JupyterLab calls `renderModel` again on every update. */
class TrainingRenderer extends Widget implements IRenderMime.IRenderer {
  private readonly view: TrainingView;

  constructor(
    app: JupyterFrontEnd,
    private readonly settings: () => TrainingSettings,
  ) {
    super();
    this.view = new TrainingView(this.node, {
      stop: async (runId) => {
        await commRequest(kernelFor(app, this.node), TRAINING_COMM_TARGET, { action: 'stop', runId }, 10_000);
      },
    });
  }

  // IRenderer's contract is a promise; async keeps a throw while rendering a rejection JupyterLab reports.
  // eslint-disable-next-line @typescript-eslint/require-await -- see above
  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.view.maxPoints = this.settings().maxPoints;
    this.view.update(model.data[TRAINING_MIME] as unknown as TrainingBundle);
  }
}

/** Renders `application/vnd.lepton.training+json` as the live training chart with its Stop button. */
const plugin: JupyterFrontEndPlugin<void> = {
  id: '@lepton/extension:training',
  description: 'Live training charts for lepton.fit, with a Stop button.',
  autoStart: true,
  requires: [IRenderMimeRegistry],
  optional: [ISettingRegistry],
  activate,
};

function activate(
  app: JupyterFrontEnd,
  rendermime: IRenderMimeRegistry,
  settingRegistry: ISettingRegistry | null,
): void {
  // Read by each renderer on every update, so a changed setting applies to the next redraw of every chart.
  let current = trainingSettings(undefined);
  void settingRegistry?.load(plugin.id).then(
    (settings) => {
      const apply = () => (current = trainingSettings(settings.composite));
      apply();
      settings.changed.connect(apply);
    },
    (error: unknown) => {
      console.warn('Lepton: could not read the training chart settings; using the defaults.', error);
    },
  );
  rendermime.addFactory(
    {
      safe: true,
      mimeTypes: [TRAINING_MIME],
      defaultRank: 0,
      createRenderer: () => new TrainingRenderer(app, () => current),
    },
    0,
  );
}

export default plugin;
