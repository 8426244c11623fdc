/**
 * The JSON the Lepton model server's management API answers with (`/lepton/v1/...`), as the panel reads it: the
 * server's own types, imported as types only (erased when compiled, so the browser bundle holds no server code).
 */
import type { DeploymentInfo as ServerDeploymentInfo } from '@lepton/server';

export type { AlertState as Alert, LogEntry, MetricsSnapshot as Metrics } from '@lepton/server';

/** A deployment's status (`GET /lepton/v1/deployments/:name`). */
export type DeploymentInfo = ServerDeploymentInfo;

export type { RayDeploymentsAnswer, RayStatus } from '@lepton/lib/contract';
