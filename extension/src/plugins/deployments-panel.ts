import { ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Dialog, ICommandPalette, showDialog } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { LabIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import type { ManagementClient } from '../api/client.js';
import { DeploymentsView } from '../deployments/panel-view.js';
import { panelSettings } from '../settings/settings.js';
import { IManagementClient } from '../tokens.js';

/** The commands this plugin adds. */
const CommandIDs = { open: 'lepton:open-deployments' } as const;

const icon = new LabIcon({
  name: 'lepton:deployments',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><g class="jp-icon3" fill="#616161">' +
    '<path d="M4 4h16v5H4zM4 10.5h16v5H4zM4 17h16v3H4z" opacity=".35"/><circle cx="7" cy="6.5" r="1.3"/><circle cx="7" cy="13" r="1.3"/></g></svg>',
});

/** The sidebar panel: refreshes while shown, and once on every show. */
class DeploymentsPanel extends Widget {
  readonly view: DeploymentsView;
  private timer: ReturnType<typeof setInterval> | undefined;
  private refreshMs = panelSettings(undefined).refreshMs;

  constructor(client: ManagementClient) {
    super();
    this.id = 'lepton-deployments';
    this.title.icon = icon;
    this.title.caption = 'Lepton deployments';
    this.addClass('jp-LeptonDeploymentsPanel');
    this.node.dataset.refreshMs = String(this.refreshMs);
    this.view = new DeploymentsView(this.node, client, async (title, body) => {
      const result = await showDialog({
        title,
        body,
        buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Confirm' })],
      });
      return result.button.accept;
    });
  }

  /** Sets how often the shown panel refreshes (the "Refresh interval" setting); a running timer restarts with it. */
  setRefreshInterval(ms: number): void {
    if (ms === this.refreshMs) return;
    this.refreshMs = ms;
    this.node.dataset.refreshMs = String(ms);
    if (this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = setInterval(() => void this.view.refresh(), ms);
    }
  }

  protected override onAfterShow(): void {
    void this.view.refresh();
    this.timer ??= setInterval(() => void this.view.refresh(), this.refreshMs);
  }

  protected override onBeforeHide(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  override dispose(): void {
    clearInterval(this.timer);
    super.dispose();
  }
}

/** The deployments panel in the right sidebar, and a command (also in the palette) that opens it. */
const plugin: JupyterFrontEndPlugin<void> = {
  id: '@lepton/extension:deployments-panel',
  description: 'A sidebar panel listing every deployment of the Lepton model server, with live metrics and actions.',
  autoStart: true,
  requires: [IManagementClient],
  optional: [ICommandPalette, ILayoutRestorer, ISettingRegistry],
  activate,
};

function activate(
  app: JupyterFrontEnd,
  client: ManagementClient,
  palette: ICommandPalette | null,
  restorer: ILayoutRestorer | null,
  settingRegistry: ISettingRegistry | null,
): void {
  const panel = new DeploymentsPanel(client);
  // Without a setting registry (or its schema) the panel keeps the default interval.
  void settingRegistry?.load(plugin.id).then(
    (settings) => {
      const apply = () => {
        panel.setRefreshInterval(panelSettings(settings.composite).refreshMs);
      };
      apply();
      settings.changed.connect(apply);
    },
    (error: unknown) => {
      console.warn('Lepton: could not read the deployments panel settings; using the defaults.', error);
    },
  );
  app.shell.add(panel, 'right', { rank: 600 });
  restorer?.add(panel, panel.id);
  app.commands.addCommand(CommandIDs.open, {
    label: 'Lepton: Show Deployments',
    caption: 'Open the panel of Lepton model deployments',
    execute: () => {
      app.shell.activateById(panel.id);
      void panel.view.refresh();
    },
  });
  palette?.addItem({ command: CommandIDs.open, category: 'Lepton' });
}

export default plugin;
