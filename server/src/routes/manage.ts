/**
 * The management API, `/lepton/v1/...`, behind the bearer token: list, status, deploy, redeploy, rollback, stop,
 * start, remove (a version or the deployment), logs (tail and a live Server-Sent Events stream), metrics (JSON) and shutdown.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bearerCheck } from '../auth.js';
import { errors } from '../errors.js';
import type { DeployMeta, ModelMeta } from '../meta.js';
import type { Service } from '../service.js';

/** Options of the management routes. */
export interface ManageOptions {
  service: Service;
  token: string;
  /** Largest deploy body (the model travels base64-encoded in it), in bytes. */
  bodyLimit: number;
  /** Called by `POST /lepton/v1/shutdown` once the answer is sent. */
  onShutdown?: (() => void) | undefined;
}

/** A deploy or redeploy body: the model's bytes in base64 and what to record with it. */
export interface DeployBody {
  name?: string;
  /** `model.onnx`, base64. A redeploy without it serves the active version's model again, as a new version. */
  model?: string;
  meta?: DeployMeta;
}

type Named = { Params: { name: string } };

const anyObject = { type: 'object', additionalProperties: true };
const deployBody = {
  type: 'object',
  properties: { name: { type: 'string' }, model: { type: 'string', minLength: 1 }, meta: { type: 'object' } },
};
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Registers the management routes (mounted under `/lepton/v1`). */
export async function manageRoutes(app: FastifyInstance, options: ManageOptions): Promise<void> {
  const { service } = options;
  const check = bearerCheck(options.token);
  app.addHook('onRequest', async (request) => check(request.headers.authorization));

  const decode = (body: DeployBody): Buffer => {
    if (body.model === undefined || !BASE64.test(body.model)) throw errors.badRequest('model must be the ONNX file in base64.');
    return Buffer.from(body.model, 'base64');
  };

  app.get('/deployments', async () => ({ deployments: service.all().map((d) => service.summary(d.name)) }));

  app.post<{ Body: DeployBody }>('/deployments', { bodyLimit: options.bodyLimit, schema: { body: { ...deployBody, required: ['name', 'model'] } } }, async (request, reply) => {
    const info = await service.deploy(request.body.name!, decode(request.body), request.body.meta ?? {});
    return reply.code(201).send(info);
  });

  app.get<Named>('/deployments/:name', async (request) => service.info(request.params.name));

  app.post<Named & { Body: DeployBody }>('/deployments/:name/redeploy', { bodyLimit: options.bodyLimit, schema: { body: deployBody } }, async (request, reply) => {
    const { name } = request.params;
    // A broken entry has no readable metadata: nothing carries over.
    const previous: Partial<ModelMeta> = service.info(name).meta ?? {};
    // What the previous version was deployed with carries over unless the request says otherwise.
    const given = request.body.meta ?? {};
    const meta: DeployMeta = { ...carriedOver(previous), ...given };
    // Features name the columns of the transforms: they carry over with the transforms, not onto new ones.
    if (given.transforms === undefined && given.features === undefined && previous.features !== undefined) meta.features = previous.features;
    // The raw input and class names describe the model's input and output: they carry over unless given or replaced by transforms.
    if (given.rawInput === undefined && given.transforms === undefined && previous.rawInput !== undefined) meta.rawInput = previous.rawInput;
    if (given.classes === undefined && previous.classes !== undefined) meta.classes = previous.classes;
    if (given.missingValues === undefined && previous.missingValues !== undefined) meta.missingValues = previous.missingValues;
    const model = request.body.model === undefined ? service.activeModel(name) : decode(request.body);
    return reply.code(201).send(await service.deploy(name, model, meta));
  });

  app.post<Named & { Body: { version?: string | number } | undefined }>('/deployments/:name/rollback', {
    schema: { body: { type: ['object', 'null'], properties: { version: { type: ['string', 'integer'] } } } },
  }, async (request) => {
    const version = request.body?.version;
    return service.rollback(request.params.name, version === undefined ? undefined : String(version));
  });

  app.post<Named>('/deployments/:name/stop', async (request) => service.stop(request.params.name));
  app.post<Named>('/deployments/:name/start', async (request) => service.start(request.params.name));

  app.delete<Named>('/deployments/:name', async (request) => service.remove(request.params.name));
  app.delete<{ Params: { name: string; version: string } }>('/deployments/:name/versions/:version', async (request) =>
    service.remove(request.params.name, request.params.version));

  // Query strings are not coerced (bodies are validated strictly), so `tail` is checked as text.
  app.get<Named & { Querystring: { tail?: string } }>('/deployments/:name/logs', {
    schema: { querystring: { type: 'object', properties: { tail: { type: 'string', pattern: '^(1000|[1-9][0-9]{0,2})$' } } } },
  }, async (request) => ({ entries: service.get(request.params.name).log.tail(Number(request.query.tail ?? 100)) }));

  app.get<Named>('/deployments/:name/logs/stream', (request, reply) => {
    const log = service.get(request.params.name).log;
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    raw.write(': lepton log stream\n\n');
    const unsubscribe = log.subscribe((entry) => raw.write(`event: log\ndata: ${JSON.stringify(entry)}\n\n`));
    const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), 15_000);
    request.raw.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
    });
  });

  app.get<Named>('/deployments/:name/metrics', async (request) => service.get(request.params.name).monitor.snapshot());

  app.get('/metrics', async () => ({
    deployments: Object.fromEntries(service.all().map((d) => [d.name, { status: d.status, version: d.version, ...d.monitor.snapshot() }])),
  }));

  app.post('/shutdown', { schema: { response: { 202: anyObject } } }, async (_request: FastifyRequest, reply) => {
    reply.raw.once('finish', () => options.onShutdown?.());
    return reply.code(202).send({ stopping: true });
  });
}

/** What a redeploy carries over from the previous version: only the fields it has, so an absent one stays absent. */
function carriedOver(previous: Partial<ModelMeta>): DeployMeta {
  const meta: DeployMeta = {};
  if (previous.transforms !== undefined) meta.transforms = previous.transforms;
  if (previous.metrics !== undefined) meta.metrics = previous.metrics;
  if (previous.description !== undefined) meta.description = previous.description;
  if (previous.alerts !== undefined) meta.alerts = previous.alerts;
  if (previous.batching !== undefined) meta.batching = previous.batching;
  return meta;
}
