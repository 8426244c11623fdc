import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { ManagementClient } from '../api/client.js';
import { IManagementClient } from '../tokens.js';

/** Provides the management client, sending requests with the Jupyter server's own settings and credentials. */
const plugin: JupyterFrontEndPlugin<ManagementClient> = {
  id: '@lepton/extension:client',
  description: "The Lepton model server's management API, proxied by the Jupyter server.",
  autoStart: true,
  provides: IManagementClient,
  activate,
};

function activate(app: JupyterFrontEnd): ManagementClient {
  const settings = app.serviceManager.serverSettings;
  return new ManagementClient((path, init) =>
    ServerConnection.makeRequest(URLExt.join(settings.baseUrl, path), init, settings),
  );
}

export default plugin;
