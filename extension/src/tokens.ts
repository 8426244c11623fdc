import { Token } from '@lumino/coreutils';
import type { ManagementClient } from './api/client.js';

/** The Lepton model server's management API, through the Jupyter server's `/lepton/v1` proxy. */
export const IManagementClient = new Token<ManagementClient>(
  '@lepton/extension:IManagementClient',
  "The Lepton model server's management API, reached through the Jupyter server.",
);
