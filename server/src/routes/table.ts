/**
 * Every route of the server with its JSON schemas, in one table: the Open Inference Protocol v2 routes, the
 * management API (mounted under {@link MANAGE_PREFIX}) and the two routes of the application itself. Handlers
 * (`oip.ts`, `manage.ts`, `app.ts`) register an entry with `app.withTypeProvider<TypeBoxTypeProvider>().route({
 * ...ROUTES.x, handler })`, and TypeBox's fastify type provider derives the types of `request.params`, `.query`,
 * `.body` and of `reply.send` from the entry's schemas, so a schema and the type its handler sees cannot drift apart.
 *
 * The schemas are TypeBox values, which are plain JSON Schema at run time: fastify's own ajv validates requests
 * with the options `buildApp` gives it, and fast-json-stringify writes replies by the response schemas. A response
 * object schema drops the properties it does not list unless it says `additionalProperties: true`; the management
 * replies say so, and list only what is always there with a fixed type, because fast-json-stringify coerces a listed
 * value to its type and throws on a listed required one that is missing. What the server passes through as it was
 * stored (a version's metadata, log entries read back from their file, monitor snapshots) is typed with
 * `Type.Unsafe` over an open object: the schema checks nothing more than before, and the handler keeps its type.
 */
import { Type, type Static } from 'typebox';
import type { InferRequest, InferResponse } from '../deployment.js';
import type { LogEntry, LogHealth } from '../logs.js';
import type { DeployMeta, ModelMeta } from '../meta.js';
import type { MetricsSnapshot } from '../monitor.js';

/** Where the management routes are mounted. */
export const MANAGE_PREFIX = '/lepton/v1';

/** An object the server passes through unchanged, typed as `T`: JSON.stringify writes it, as without a schema. */
const passThrough = <T>() => Type.Unsafe<T>(Type.Object({}, { additionalProperties: true }));

const name = Type.Object({ name: Type.String() });
const nameAndVersion = Type.Object({ name: Type.String(), version: Type.String() });
const maybeVersion = Type.Object({ name: Type.String(), version: Type.Optional(Type.String()) });

// OIP v2 (https://kserve.github.io/website/latest/modelserving/data_plane/v2_protocol/).

const tensorMeta = Type.Object({
  name: Type.Optional(Type.String()),
  datatype: Type.Optional(Type.String()),
  shape: Type.Optional(Type.Array(Type.Integer())),
});
const modelMetadata = Type.Object({
  name: Type.Optional(Type.String()),
  versions: Type.Optional(Type.Array(Type.String())),
  platform: Type.Optional(Type.String()),
  inputs: Type.Optional(Type.Array(tensorMeta)),
  outputs: Type.Optional(Type.Array(tensorMeta)),
});
const modelReady = Type.Object({ name: Type.Optional(Type.String()), ready: Type.Optional(Type.Boolean()) });
const serverReady = Type.Object({
  ready: Type.Optional(Type.Boolean()),
  reasons: Type.Optional(Type.Array(Type.String())),
});

/**
 * An infer body. The schema checks the envelope only: each input's `data` (or binary part) is checked against the
 * model's specs by the decoder, which names the input and the element at fault, so the type is the protocol's.
 */
const inferBody = Type.Unsafe<InferRequest>(
  Type.Object({
    id: Type.Optional(Type.String()),
    parameters: Type.Optional(Type.Object({})),
    inputs: Type.Array(
      Type.Object({
        name: Type.String(),
        shape: Type.Array(Type.Integer({ minimum: 0 }), { maxItems: 32 }),
        datatype: Type.String(),
        parameters: Type.Optional(Type.Object({})),
        // `data` is absent for a tensor sent as binary data; `attachBinaryData` checks that each input has one or the other.
        data: Type.Optional(Type.Array(Type.Unknown())),
      }),
      { minItems: 1 },
    ),
    outputs: Type.Optional(
      Type.Array(Type.Object({ name: Type.String(), parameters: Type.Optional(Type.Object({})) })),
    ),
  }),
);

/**
 * An infer answer. The handler writes it as text itself (large outputs a slice at a time, `encode.ts`), which the
 * serializer passes through; the schema documents its shape.
 */
const inferResponse = Type.Unsafe<InferResponse | string | Buffer>(
  Type.Object({
    model_name: Type.Optional(Type.String()),
    model_version: Type.Optional(Type.String()),
    id: Type.Optional(Type.String()),
    parameters: Type.Optional(
      Type.Object({ non_finite: Type.Optional(Type.Boolean()) }, { additionalProperties: true }),
    ),
    outputs: Type.Optional(
      Type.Array(
        Type.Object({
          name: Type.Optional(Type.String()),
          datatype: Type.Optional(Type.String()),
          shape: Type.Optional(Type.Array(Type.Integer())),
          parameters: Type.Optional(Type.Object({}, { additionalProperties: true })),
          data: Type.Optional(Type.Array(Type.Unknown())),
        }),
      ),
    ),
  }),
);

// The management API.

/** A deploy or redeploy body: the model's bytes in base64 and what to record with it. */
const deployFields = {
  /** `model.onnx`, base64. A redeploy without it serves the active version's model again, as a new version. */
  model: Type.String({ minLength: 1 }),
  /** Checked field by field when the version is registered (`meta.ts`), which names the field at fault. */
  meta: Type.Optional(Type.Unsafe<DeployMeta>(Type.Object({}))),
};
const deployBody = Type.Object({ name: Type.String(), ...deployFields });
const redeployBody = Type.Object({
  name: Type.Optional(Type.String()),
  model: Type.Optional(deployFields.model),
  meta: deployFields.meta,
});

const summaryFields = {
  /** The deployment's name. */
  name: Type.String(),
  /** Serving, loading, stopped or failed. */
  status: Type.Union([Type.Literal('loading'), Type.Literal('ready'), Type.Literal('stopped'), Type.Literal('failed')]),
  /** The version served. */
  version: Type.String(),
  /** Every version registered, oldest first. */
  versions: Type.Array(Type.String()),
  /** Requests answered since the server started. */
  requests: Type.Number(),
  /** Requests answered with a 5xx since the server started. */
  errors: Type.Number(),
  /** Alert rules firing now. */
  alerts: Type.Number(),
};
/** A deployment in a listing. */
const deploymentSummary = Type.Object(summaryFields, { additionalProperties: true });
/** The full status of a deployment. */
const deploymentInfo = Type.Object(
  {
    ...summaryFields,
    /** Why it failed (and what to do), when `status` is `failed`. */
    failure: Type.Optional(Type.String()),
    /** The served version's metadata, as registered; absent only when the registry entry is broken (see `failure`). */
    meta: Type.Optional(passThrough<ModelMeta>()),
    /** Its monitor's figures: requests, latency, errors, batching, alerts. */
    metrics: passThrough<MetricsSnapshot>(),
    /** Whether its log file is being written (a full disk is counted here, not thrown). */
    log: passThrough<LogHealth>(),
  },
  { additionalProperties: true },
);
/** What removing a deployment or one of its versions did. */
const removed = Type.Object(
  {
    /** The deployment. */
    name: Type.String(),
    /** The versions removed. */
    removed: Type.Array(Type.String()),
  },
  { additionalProperties: true },
);

// The shapes below are interfaces over their schemas' static types so that the API docs list their fields (with the
// comments written on the schemas' properties above) instead of naming a schema value the docs do not show.

/** A deployment in a listing (`GET /lepton/v1/deployments`). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the fields come from the schema
export interface DeploymentSummary extends Static<typeof deploymentSummary> {}
/** The full status of a deployment (`GET /lepton/v1/deployments/:name` and the answers that change one). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the fields come from the schema
export interface DeploymentInfo extends Static<typeof deploymentInfo> {}
/** What removing a deployment or one of its versions did. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the fields come from the schema
export interface Removal extends Static<typeof removed> {}

/** One deployment's metrics in the answer of `GET /lepton/v1/metrics`, with where it stands. */
export interface DeploymentMetrics extends MetricsSnapshot {
  /** `ready`, `loading`, `stopped` or `failed`. */
  status: string;
  /** The version served. */
  version: string;
}

/**
 * The routes: method, URL (relative to {@link MANAGE_PREFIX} for the management ones) and schemas. `as const` keeps
 * each method and URL literal, so an entry spread into `route()` is checked like one written in place.
 */
export const ROUTES = {
  // The application.
  /** A proxy holding the token asks this before sending it: only this server can answer with the proof. */
  identity: {
    method: 'GET',
    url: '/lepton/identity',
    schema: {
      querystring: Type.Object({ nonce: Type.String({ pattern: '^[0-9a-f]{16,128}$' }) }),
      response: {
        200: Type.Object(
          { server: Type.String(), pid: Type.Number(), proof: Type.String() },
          { additionalProperties: true },
        ),
      },
    },
  },
  /** Prometheus text for every deployment (no schema: the body is text). */
  prometheus: { method: 'GET', url: '/metrics' },

  // OIP v2.
  live: {
    method: 'GET',
    url: '/v2/health/live',
    schema: { response: { 200: Type.Object({ live: Type.Optional(Type.Boolean()) }) } },
  },
  /** Ready means able to take requests now: every serving deployment has its sessions up and room in its queue. */
  ready: { method: 'GET', url: '/v2/health/ready', schema: { response: { 200: serverReady, 503: serverReady } } },
  server: { method: 'GET', url: '/v2' },
  modelMetadata: {
    method: 'GET',
    url: '/v2/models/:name',
    schema: { params: maybeVersion, response: { 200: modelMetadata } },
  },
  versionMetadata: {
    method: 'GET',
    url: '/v2/models/:name/versions/:version',
    schema: { params: maybeVersion, response: { 200: modelMetadata } },
  },
  modelReady: {
    method: 'GET',
    url: '/v2/models/:name/ready',
    schema: { params: maybeVersion, response: { 200: modelReady } },
  },
  versionReady: {
    method: 'GET',
    url: '/v2/models/:name/versions/:version/ready',
    schema: { params: maybeVersion, response: { 200: modelReady } },
  },
  infer: {
    method: 'POST',
    url: '/v2/models/:name/infer',
    schema: { params: maybeVersion, body: inferBody, response: { 200: inferResponse } },
  },
  versionInfer: {
    method: 'POST',
    url: '/v2/models/:name/versions/:version/infer',
    schema: { params: maybeVersion, body: inferBody, response: { 200: inferResponse } },
  },

  // Management, under MANAGE_PREFIX.
  deployments: {
    method: 'GET',
    url: '/deployments',
    schema: {
      response: { 200: Type.Object({ deployments: Type.Array(deploymentSummary) }, { additionalProperties: true }) },
    },
  },
  deploy: { method: 'POST', url: '/deployments', schema: { body: deployBody, response: { 201: deploymentInfo } } },
  deployment: { method: 'GET', url: '/deployments/:name', schema: { params: name, response: { 200: deploymentInfo } } },
  redeploy: {
    method: 'POST',
    url: '/deployments/:name/redeploy',
    schema: { params: name, body: redeployBody, response: { 201: deploymentInfo } },
  },
  rollback: {
    method: 'POST',
    url: '/deployments/:name/rollback',
    schema: {
      params: name,
      // No body, `null` or `{}` rolls back to the version before; a version may be given as text or a number.
      body: Type.Unsafe<{ version?: string | number } | null | undefined>({
        type: ['object', 'null'],
        properties: { version: { type: ['string', 'integer'] } },
      }),
      response: { 200: deploymentInfo },
    },
  },
  stop: { method: 'POST', url: '/deployments/:name/stop', schema: { params: name, response: { 200: deploymentInfo } } },
  start: {
    method: 'POST',
    url: '/deployments/:name/start',
    schema: { params: name, response: { 200: deploymentInfo } },
  },
  remove: { method: 'DELETE', url: '/deployments/:name', schema: { params: name, response: { 200: removed } } },
  removeVersion: {
    method: 'DELETE',
    url: '/deployments/:name/versions/:version',
    schema: { params: nameAndVersion, response: { 200: removed } },
  },
  logs: {
    method: 'GET',
    url: '/deployments/:name/logs',
    schema: {
      params: name,
      // Query strings are not coerced (bodies are validated strictly), so `tail` is checked as text.
      querystring: Type.Object({ tail: Type.Optional(Type.String({ pattern: '^(1000|[1-9][0-9]{0,2})$' })) }),
      // Entries read back from the log file are sent as they were written.
      response: { 200: Type.Object({ entries: Type.Array(passThrough<LogEntry>()) }, { additionalProperties: true }) },
    },
  },
  /** Server-Sent Events (no response schema: the handler writes the stream itself). */
  logStream: { method: 'GET', url: '/deployments/:name/logs/stream', schema: { params: name } },
  deploymentMetrics: {
    method: 'GET',
    url: '/deployments/:name/metrics',
    schema: { params: name, response: { 200: passThrough<MetricsSnapshot>() } },
  },
  allMetrics: {
    method: 'GET',
    url: '/metrics',
    schema: {
      response: {
        200: Type.Object(
          {
            /** Each deployment's metrics by name, with its status and the version it serves. */
            deployments: passThrough<Record<string, DeploymentMetrics>>(),
          },
          { additionalProperties: true },
        ),
      },
    },
  },
  shutdown: {
    method: 'POST',
    url: '/shutdown',
    schema: {
      response: {
        202: Type.Object(
          {
            /** Always true: the server stops once it has answered. */
            stopping: Type.Boolean(),
          },
          { additionalProperties: true },
        ),
      },
    },
  },
} as const;
