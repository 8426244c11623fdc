/**
 * The JSON the Lepton model server's management API answers with (`/lepton/v1/...`), as the panel reads it: the
 * types of the server's route table, imported as types only (erased when compiled, so the browser bundle holds no
 * server code).
 */
import type { RouteTypes } from '@lepton/server/routes';

export type { AlertState as Alert, LogEntry, MetricsSnapshot as Metrics } from '@lepton/server';

/** A deployment's status (`GET /lepton/v1/deployments/:name`). */
export type DeploymentInfo = RouteTypes['deployment']['reply'];

export type { RayDeploymentsAnswer, RayStatus } from '@lepton/lib/contract';
