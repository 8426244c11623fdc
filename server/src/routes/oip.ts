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
 *
 * Infer bodies may use the binary tensor data extension (`wire/binary.ts`): with an
 * `Inference-Header-Content-Length` header, the body is that many bytes of JSON followed by the binary data of the
 * inputs that carry `parameters.binary_data_size` (any content type, or none, as Triton's clients send). Outputs
 * asked for as binary (`binary_data`, `binary_data_output`) come back the same way, as `application/octet-stream`
 * with the header set.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ClientGone } from '../batcher.js';
import { responseJson } from '../encode.js';
import { errors, ServerError } from '../errors.js';
import { LABEL_SPEC } from '../preprocess/labels.js';
import type { Service } from '../service.js';
import { attachBinaryData } from '../tensors.js';
import { BINARY_CONTENT_TYPE, BINARY_EXTENSION, HEADER_LENGTH, joinBody } from '../wire/binary.js';
import { inferBodyParser, readBody } from './infer-body.js';
import { ROUTES } from './table.js';

/** Options of the OIP routes. */
export interface OipOptions {
  service: Service;
  /** Largest infer body, in bytes. */
  bodyLimit: number;
  /** The server's version, for `GET /v2`. */
  version: string;
}

type Params = { name: string; version?: string };

/** The binary part of an all-JSON body. */
const NO_BYTES = new Uint8Array(0);

declare module 'fastify' {
  interface FastifyRequest {
    /** Rows inferred by this request (for the monitor). */
    leptonRows: number;
    /** The bytes after the JSON part of a body that uses the binary tensor data extension (else undefined). */
    leptonBinary: Uint8Array | undefined;
  }
}

/**
 * Registers the OIP v2 routes on `app`. A synchronous plugin: fastify finishes registering it when it returns, since
 * it has nothing to wait for.
 */
export function oipRoutes(app: FastifyInstance, options: OipOptions): void {
  const { service } = options;
  app.decorateRequest('leptonRows', 0);
  app.decorateRequest('leptonBinary', undefined);
  // In this plugin's scope only (the OIP routes): JSON and binary-extension bodies alike. Triton's clients send a
  // binary body as application/octet-stream or with no content type at all; text bodies stay a 415.
  const parseInfer = inferBodyParser(app, options.bodyLimit);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(['application/json', BINARY_CONTENT_TYPE], parseInfer);
  app.addContentTypeParser('*', (request, payload, done) => {
    const type = request.headers['content-type'];
    // Read first, as before: an oversized body of another type is still a 413, not a 415.
    if (type !== undefined && request.headers[HEADER_LENGTH] === undefined)
      readBody(request, payload, options.bodyLimit, () => done(errors.badContentType(type)), done);
    else parseInfer(request, payload, done);
  });

  // Request and reply types come from each route's schemas in the table.
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  routes.route({ ...ROUTES.live, handler: () => ({ live: true }) });
  routes.route({
    ...ROUTES.ready,
    handler: (_request, reply) => {
      const readiness = service.readiness();
      // A sync handler's return value is the body, sent with the status set here.
      reply.code(readiness.ready ? 200 : 503);
      return readiness;
    },
  });
  routes.route({
    ...ROUTES.server,
    handler: () => ({ name: 'lepton', version: options.version, extensions: [BINARY_EXTENSION] }),
  });

  const metadata = (request: FastifyRequest<{ Params: Params }>) => {
    const { name, version } = request.params;
    const deployment = service.get(name);
    const versions = service.registry.versions(name);
    if (version !== undefined && !versions.includes(version)) throw errors.unknownVersion(name, version, versions);
    const meta =
      version === undefined || version === deployment.loaded?.meta.version
        ? (deployment.loaded?.meta ?? service.registry.meta(name, deployment.version))
        : service.registry.meta(name, version);
    // The label spec's shape is a frozen literal; the reply's type wants an array of its own.
    const outputs = meta.classes ? [...meta.outputs, { ...LABEL_SPEC, shape: [...LABEL_SPEC.shape] }] : meta.outputs;
    return { name, versions, platform: 'onnxruntime_onnx', inputs: meta.inputs, outputs };
  };
  routes.route({ ...ROUTES.modelMetadata, handler: metadata });
  routes.route({ ...ROUTES.versionMetadata, handler: metadata });

  const ready = (request: FastifyRequest<{ Params: Params }>) => {
    const { name, version } = request.params;
    const deployment = service.get(name);
    const versions = service.registry.versions(name);
    if (version !== undefined && !versions.includes(version)) throw errors.unknownVersion(name, version, versions);
    const serving = deployment.status === 'ready' ? deployment.version : undefined;
    if (serving === undefined || (version !== undefined && version !== serving)) {
      throw errors.notReady(
        name,
        version ?? deployment.version,
        serving ? `version ${serving} is the one serving` : `it is ${deployment.status}`,
      );
    }
    if (!deployment.loaded?.accepting) throw errors.overloaded(name, deployment.loaded?.batcher.queued ?? 0);
    return { name, ready: true };
  };
  routes.route({ ...ROUTES.modelReady, handler: ready });
  routes.route({ ...ROUTES.versionReady, handler: ready });

  const record = (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply, done: () => void) => {
    const deployment = service.find(request.params.name);
    deployment?.monitor.record(reply.elapsedTime, reply.statusCode, request.leptonRows);
    done();
  };
  // A full queue refuses before the body is read or parsed: shedding load costs next to nothing.
  const shedEarly = (
    request: FastifyRequest<{ Params: Params }>,
    _reply: FastifyReply,
    done: (error?: ServerError) => void,
  ) => {
    const batcher = service.find(request.params.name)?.loaded?.batcher;
    if (batcher?.saturated) done(errors.overloaded(request.params.name, batcher.queued));
    else done();
  };
  for (const route of [ROUTES.infer, ROUTES.versionInfer]) {
    routes.route({
      ...route,
      bodyLimit: options.bodyLimit,
      onRequest: shedEarly,
      onResponse: record,
      handler: async (request, reply) => {
        const { name, version } = request.params;
        const deployment = service.get(name);
        if (version !== undefined && !service.registry.has(name, version))
          throw errors.unknownVersion(name, version, service.registry.versions(name));
        // A client that goes away takes its queued work with it (counted as aborted, never computed).
        const gone = new ClientGone();
        // 'close' comes once per response, so a plain listener does (no `once` wrapper per request).
        reply.raw.on('close', () => {
          if (reply.raw.writableFinished) return;
          gone.abort();
          deployment.monitor.aborted++;
        });
        const body = request.body;
        attachBinaryData(body.inputs, request.leptonBinary ?? NO_BYTES);
        const { response, values, rows, binary } = await deployment.infer(body, version, {
          maxElements: service.options.maxElements,
          signal: gone,
        });
        request.leptonRows = rows;
        // Written as text straight from the typed arrays (large ones a slice at a time); the route's serializer passes text through.
        const json = await responseJson(response, values);
        if (binary.length > 0) {
          const { body: out, headerLength } = joinBody(json, binary);
          return reply.type(BINARY_CONTENT_TYPE).header(HEADER_LENGTH, String(headerLength)).send(out);
        }
        return reply.type('application/json; charset=utf-8').send(json);
      },
    });
  }
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
  if (error.statusCode >= 500)
    deployment.log.write('error', 'request-error', error.message, { version: deployment.version, code: error.code });
}
