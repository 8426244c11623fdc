/**
 * Lepton for JupyterLab: live training charts (`application/vnd.lepton.training+json`), model cards with a Deploy
 * button (`application/vnd.lepton.model+json`), live deployment cards, and a deployments panel.
 * @packageDocumentation
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import client from './plugins/client.js';
import deploymentsPanel from './plugins/deployments-panel.js';
import modelCard from './plugins/model-card.js';
import training from './plugins/training.js';

const plugins: JupyterFrontEndPlugin<unknown>[] = [client, training, modelCard, deploymentsPanel];
export default plugins;
