/**
 * The Open Inference Protocol v2 REST routes (the protocol of Triton, KServe and MLServer): health, server and
 * model metadata, readiness, and inference.
 *
 * Inference takes the model's input tensors, or, with `"parameters": { "lepton_preprocess": true }`, raw records
 * that the server preprocesses with the transforms the version was deployed with (`meta.transforms`) before the
 * model: one input `{ "name": "records", "datatype": "BYTES", "shape": [n], "data": [...] }` whose n elements are
 * JSON objects of raw fields, or their JSON text (OIP BYTES elements are strings), e.g.
 * `{ "Beak Length (mm)": 39.1, "Island": "Dream" }`. A version without transforms answers 400
 * `LEPTON_NO_TRANSFORMS`; a record that cannot be preprocessed (a missing, NaN or non-numeric field, a category
 * not seen in fitting) 400 `LEPTON_BAD_RECORD` naming the record and the field. See `preprocess/records.ts`.
 * A version deployed with a raw input (`meta.rawInput`, e.g. images) takes instead one BYTES input of its kind
 * (`images`: base64 image files), decoded as in training; a bad element is a 400 naming its index
 * (`LEPTON_BAD_IMAGE`, with `details.indexes`). See `preprocess/raw.ts`. A version deployed with class names
 * (`meta.classes`) adds a BYTES `label` output to every answer (`preprocess/labels.ts`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InferRequest } from '../deployment.js';
import { errors, ServerError } from '../errors.js';
import { LABEL_SPEC } from '../preprocess/labels.js';
import type { Service } from '../service.js';

/** Options of the OIP routes. */
export interface OipOptions {
  service: Service;
  /** Largest infer body, in bytes. */
  bodyLimit: number;
  /** The server's version, for `GET /v2`. */
  version: string;
}

type Params = { name: string; version?: string };

const tensorMeta = {
  type: 'object',
  properties: { name: { type: 'string' }, datatype: { type: 'string' }, shape: { type: 'array', items: { type: 'integer' } } },
};

const inferBody = {
  type: 'object',
  required: ['inputs'],
  properties: {
    id: { type: 'string' },
    parameters: { type: 'object' },
    inputs: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'shape', 'datatype', 'data'],
        properties: {
          name: { type: 'string' },
          shape: { type: 'array', items: { type: 'integer', minimum: 0 }, maxItems: 32 },
          datatype: { type: 'string' },
          parameters: { type: 'object' },
          data: { type: 'array' },
        },
      },
    },
    outputs: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, parameters: { type: 'object' } } } },
  },
};

const inferResponse = {
  200: {
    type: 'object',
    properties: {
      model_name: { type: 'string' },
      model_version: { type: 'string' },
      id: { type: 'string' },
      outputs: {
        type: 'array',
        items: {
          type: 'object',
          properties: { name: { type: 'string' }, datatype: { type: 'string' }, shape: { type: 'array', items: { type: 'integer' } }, data: { type: 'array', items: {} } },
        },
      },
    },
  },
};

const modelMetaResponse = {
  200: {
    type: 'object',
    properties: {
      name: { type: 'string' }, versions: { type: 'array', items: { type: 'string' } }, platform: { type: 'string' },
      inputs: { type: 'array', items: tensorMeta }, outputs: { type: 'array', items: tensorMeta },
    },
  },
};

const readyResponse = { 200: { type: 'object', properties: { name: { type: 'string' }, ready: { type: 'boolean' } } } };

declare module 'fastify' {
  interface FastifyRequest {
    /** Rows inferred by this request (for the monitor). */
    leptonRows: number;
  }
}

/** Registers the OIP v2 routes on `app`. */
export async function oipRoutes(app: FastifyInstance, options: OipOptions): Promise<void> {
  const { service } = options;
  app.decorateRequest('leptonRows', 0);

  app.get('/v2/health/live', { schema: { response: { 200: { type: 'object', properties: { live: { type: 'boolean' } } } } } }, async () => ({ live: true }));
  app.get('/v2/health/ready', { schema: { response: { 200: { type: 'object', properties: { ready: { type: 'boolean' } } } } } }, async () => ({ ready: true }));
  app.get('/v2', async () => ({ name: 'lepton', version: options.version, extensions: [] as string[] }));

  const metadata = async (request: FastifyRequest<{ Params: Params }>) => {
    const { name, version } = request.params;
    const deployment = service.get(name);
    const versions = service.registry.versions(name);
    if (version !== undefined && !versions.includes(version)) throw errors.unknownVersion(name, version, versions);
    const meta = version === undefined || version === deployment.loaded?.meta.version ? deployment.loaded?.meta ?? service.registry.meta(name, deployment.version) : service.registry.meta(name, version);
    const outputs = meta.classes ? [...meta.outputs, LABEL_SPEC] : meta.outputs;
    return { name, versions, platform: 'onnxruntime_onnx', inputs: meta.inputs, outputs };
  };
  app.get('/v2/models/:name', { schema: { response: modelMetaResponse } }, metadata);
  app.get('/v2/models/:name/versions/:version', { schema: { response: modelMetaResponse } }, metadata);

  const ready = async (request: FastifyRequest<{ Params: Params }>) => {
    const { name, version } = request.params;
    const deployment = service.get(name);
    const versions = service.registry.versions(name);
    if (version !== undefined && !versions.includes(version)) throw errors.unknownVersion(name, version, versions);
    const serving = deployment.status === 'ready' ? deployment.version : undefined;
    if (serving === undefined || (version !== undefined && version !== serving)) {
      throw errors.notReady(name, version ?? deployment.version, serving ? `version ${serving} is the one serving` : `it is ${deployment.status}`);
    }
    return { name, ready: true };
  };
  app.get('/v2/models/:name/ready', { schema: { response: readyResponse } }, ready);
  app.get('/v2/models/:name/versions/:version/ready', { schema: { response: readyResponse } }, ready);

  const infer = async (request: FastifyRequest<{ Params: Params; Body: InferRequest }>) => {
    const { name, version } = request.params;
    const deployment = service.get(name);
    if (version !== undefined && !service.registry.has(name, version)) throw errors.unknownVersion(name, version, service.registry.versions(name));
    const { response, rows } = await deployment.infer(request.body, version);
    request.leptonRows = rows;
    return response;
  };
  const record = (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply, done: () => void) => {
    const deployment = service.find(request.params.name);
    deployment?.monitor.record(reply.elapsedTime, reply.statusCode, request.leptonRows);
    done();
  };
  const inferOptions = { bodyLimit: options.bodyLimit, schema: { body: inferBody, response: inferResponse }, onResponse: record };
  app.post('/v2/models/:name/infer', inferOptions, infer);
  app.post('/v2/models/:name/versions/:version/infer', inferOptions, infer);
}

/** Whether `error` came from an infer route of a known deployment (so it counts in that deployment's monitor). */
export function inferTarget(request: FastifyRequest): string | undefined {
  const url = request.routeOptions.url;
  if (!url || !url.endsWith('/infer')) return undefined;
  return (request.params as Params | undefined)?.name;
}

/** Keeps an infer error in the deployment's last errors, and logs 5xx. */
export function noteInferError(service: Service, request: FastifyRequest, error: ServerError): void {
  const name = inferTarget(request);
  if (!name) return;
  const deployment = service.find(name);
  if (!deployment) return;
  deployment.monitor.recordError(error.statusCode, error.code, error.message);
  if (error.statusCode >= 500) deployment.log.write('error', 'request-error', error.message, { version: deployment.version, code: error.code });
}
