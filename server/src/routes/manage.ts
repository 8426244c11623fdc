/**
 * The management API, `/lepton/v1/...`, behind the bearer token: list, status, deploy, redeploy, rollback, stop,
 * start, remove (a version or the deployment), logs (tail and a live Server-Sent Events stream), metrics (JSON) and shutdown.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { bearerCheck } from '../auth.js';
import { errors } from '../errors.js';
import type { DeployMeta, ModelMeta } from '../meta.js';
import type { Service } from '../service.js';
import { ROUTES } from './table.js';

/** Options of the management routes. */
export interface ManageOptions {
  service: Service;
  token: string;
  /** Largest deploy body (the model travels base64-encoded in it), in bytes. */
  bodyLimit: number;
  /** Called by `POST /lepton/v1/shutdown` once the answer is sent. */
  onShutdown?: (() => void) | undefined;
}

/** A deploy or redeploy body (its type is derived from the schema in `table.ts`). */
export type DeployBody = Static<(typeof ROUTES)['redeploy']['schema']['body']>;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Registers the management routes (mounted under `/lepton/v1`). A synchronous plugin: fastify finishes registering it
 * when it returns, since it has nothing to wait for.
 */
export function manageRoutes(app: FastifyInstance, options: ManageOptions): void {
  const { service } = options;
  const check = bearerCheck(options.token);
  // fastify answers a hook's synchronous throw as the request's error (401), as it would a rejection.
  app.addHook('onRequest', (request, _reply, done) => {
    check(request.headers.authorization);
    done();
  });

  const decode = (body: DeployBody): Buffer => {
    if (body.model === undefined || !BASE64.test(body.model))
      throw errors.badRequest('model must be the ONNX file in base64.');
    return Buffer.from(body.model, 'base64');
  };

  // Request and reply types come from each route's schemas in the table.
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  routes.route({
    ...ROUTES.deployments,
    handler: () => ({ deployments: service.all().map((d) => service.summary(d.name)) }),
  });

  routes.route({
    ...ROUTES.deploy,
    bodyLimit: options.bodyLimit,
    handler: async (request, reply) =>
      reply.code(201).send(await service.deploy(request.body.name, decode(request.body), request.body.meta ?? {})),
  });

  routes.route({ ...ROUTES.deployment, handler: (request) => service.info(request.params.name) });

  routes.route({
    ...ROUTES.redeploy,
    bodyLimit: options.bodyLimit,
    handler: async (request, reply) => {
      const { name } = request.params;
      // A broken entry has no readable metadata: nothing carries over.
      const previous: Partial<ModelMeta> = service.info(name).meta ?? {};
      // What the previous version was deployed with carries over unless the request says otherwise.
      const given = request.body.meta ?? {};
      const meta: DeployMeta = { ...carriedOver(previous), ...given };
      // Features name the columns of the transforms: they carry over with the transforms, not onto new ones.
      if (given.transforms === undefined && given.features === undefined && previous.features !== undefined)
        meta.features = previous.features;
      // The raw input and class names describe the model's input and output: they carry over unless given or replaced by transforms.
      if (given.rawInput === undefined && given.transforms === undefined && previous.rawInput !== undefined)
        meta.rawInput = previous.rawInput;
      if (given.classes === undefined && previous.classes !== undefined) meta.classes = previous.classes;
      if (given.missingValues === undefined && previous.missingValues !== undefined)
        meta.missingValues = previous.missingValues;
      const model = request.body.model === undefined ? service.activeModel(name) : decode(request.body);
      return reply.code(201).send(await service.deploy(name, model, meta));
    },
  });

  routes.route({
    ...ROUTES.rollback,
    handler: async (request) => {
      const version = request.body?.version;
      return service.rollback(request.params.name, version === undefined ? undefined : String(version));
    },
  });

  routes.route({ ...ROUTES.stop, handler: async (request) => service.stop(request.params.name) });
  routes.route({ ...ROUTES.start, handler: async (request) => service.start(request.params.name) });

  routes.route({ ...ROUTES.remove, handler: async (request) => service.remove(request.params.name) });
  routes.route({
    ...ROUTES.removeVersion,
    handler: async (request) => service.remove(request.params.name, request.params.version),
  });

  routes.route({
    ...ROUTES.logs,
    handler: (request) => ({
      entries: service.get(request.params.name).log.tail(Number(request.query.tail ?? 100)),
    }),
  });

  routes.route({
    ...ROUTES.logStream,
    handler: (request, reply) => {
      const log = service.get(request.params.name).log;
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      raw.write(': lepton log stream\n\n');
      const unsubscribe = log.subscribe((entry) => raw.write(`event: log\ndata: ${JSON.stringify(entry)}\n\n`));
      const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), 15_000);
      request.raw.on('close', () => {
        clearInterval(keepAlive);
        unsubscribe();
      });
    },
  });

  routes.route({
    ...ROUTES.deploymentMetrics,
    handler: (request) => service.get(request.params.name).monitor.snapshot(),
  });

  routes.route({
    ...ROUTES.allMetrics,
    handler: () => ({
      deployments: Object.fromEntries(
        service.all().map((d) => [d.name, { status: d.status, version: d.version, ...d.monitor.snapshot() }]),
      ),
    }),
  });

  routes.route({
    ...ROUTES.shutdown,
    handler: async (_request, reply) => {
      reply.raw.once('finish', () => options.onShutdown?.());
      return reply.code(202).send({ stopping: true });
    },
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
