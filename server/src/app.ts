/**
 * The server's fastify application: OIP v2 routes, the management API, `GET /metrics`, and one error handler
 * that answers every failure with a coded JSON error (4xx for bad input, 5xx for the model or server failing).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { errorBody, errors, ServerError } from './errors.js';
import { identityProof, inferenceCheck } from './guard.js';
import { PROMETHEUS_CONTENT_TYPE, prometheusText } from './prometheus.js';
import { manageRoutes } from './routes/manage.js';
import { noteInferError, oipRoutes } from './routes/oip.js';
import { MANAGE_PREFIX, ROUTES } from './routes/table.js';
import type { Service } from './service.js';

/** Options of the application. */
export interface AppOptions {
  /** The registry and live deployments the routes act on. */
  service: Service;
  /** The management API's bearer token. */
  token: string;
  /** Largest infer body, in bytes (default 16 MiB). */
  bodyLimit?: number | undefined;
  /** Largest deploy body, in bytes (default 1 GiB). */
  deployBodyLimit?: number;
  /** The server's version, for `GET /v2`. */
  version?: string;
  /** Called after `POST /lepton/v1/shutdown` is answered. */
  onShutdown?: () => void;
  /** Where unexpected errors are reported (default: stderr). */
  report?: (message: string) => void;
  /** Checks each request's `Host` header (see `hostCheck`); default: any. */
  checkHost?: (header: string | undefined) => void;
  /** When set, inference and model routes need `Authorization: Bearer` with it (or the management token). */
  inferenceToken?: string;
  /** Longest a client may take to send a whole request, in milliseconds (default 30 s). */
  requestTimeoutMs?: number;
}

/** Connection limits: a slow or idle client is disconnected instead of holding a socket for ever. */
export const TIMEOUTS = {
  /** Whole request (headers and body) received within (`--request-timeout`). */
  requestMs: 30_000,
  /** Headers received within. */
  headersMs: 10_000,
  /** A socket idle this long is closed (above the log stream's 15 s keep-alive and the keep-alive timeout). */
  idleMs: 70_000,
  /**
   * An idle keep-alive connection is closed after (above the idle timeouts of common proxies and clients, so the
   * server is not the side that closes a connection a client is just reusing).
   */
  keepAliveMs: 65_000,
  /** How often Node checks the request and header timeouts. */
  checkEveryMs: 1_000,
};

/** The default largest infer body: 16 MiB. */
export const DEFAULT_BODY_LIMIT = 16 * 1024 * 1024;

/** Builds the application (not listening; `app.listen` or `app.inject`). */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const deployBodyLimit = options.deployBodyLimit ?? 1024 * 1024 * 1024;
  const report = options.report ?? ((message: string) => process.stderr.write(message + '\n'));
  const requestMs = options.requestTimeoutMs ?? TIMEOUTS.requestMs;
  const app = Fastify({
    logger: false,
    bodyLimit,
    return503OnClosing: true,
    ajv: { customOptions: { allErrors: false, coerceTypes: false, allowUnionTypes: true } },
    requestTimeout: requestMs,
    connectionTimeout: TIMEOUTS.idleMs,
    keepAliveTimeout: TIMEOUTS.keepAliveMs,
    http: {
      headersTimeout: Math.min(TIMEOUTS.headersMs, requestMs),
      connectionsCheckingInterval: TIMEOUTS.checkEveryMs,
    },
  });

  // Only JSON bodies: a text body is a 415, not a string that fails the schema.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler((error: FastifyError | ServerError, request, reply) => {
    // fastify types the route's limit as always set; an error raised before routing (a 404) has no route to ask.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
    const coded = toServerError(error, request.routeOptions.bodyLimit ?? bodyLimit);
    if (coded.statusCode >= 500 && coded.code === 'LEPTON_INTERNAL')
      report(`lepton-server: ${request.method} ${request.url}: ${(error as Error).stack ?? error}`);
    noteInferError(options.service, request, coded);
    // Overload answers say when to come back.
    if (coded.statusCode === 503) void reply.header('retry-after', '1');
    void reply.code(coded.statusCode).send(errorBody(coded));
  });
  if (options.checkHost) {
    const checkHost = options.checkHost;
    // Callback hooks: no promise per request on the hot path.
    app.addHook('onRequest', (request, _reply, done) => {
      try {
        checkHost(request.headers.host);
        done();
      } catch (error) {
        done(error as ServerError);
      }
    });
  }
  if (options.inferenceToken) {
    const check = inferenceCheck(options.inferenceToken, options.token);
    app.addHook('onRequest', (request, _reply, done) => {
      try {
        if (request.url.startsWith('/v2/models')) check(request.headers.authorization);
        done();
      } catch (error) {
        done(error as ServerError);
      }
    });
  }
  // Request and reply types come from each route's schemas in the table.
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  // A proxy holding the token asks this before sending it: only this server can answer with the proof.
  routes.route({
    ...ROUTES.identity,
    handler: (request) => ({
      server: 'lepton',
      pid: process.pid,
      proof: identityProof(options.token, request.query.nonce),
    }),
  });
  app.setNotFoundHandler((request, reply) => {
    const error = errors.notFound(request.method, request.url);
    void reply.code(404).send(errorBody(error));
  });

  await app.register(oipRoutes, { service: options.service, bodyLimit, version: options.version ?? '0.1.0' });
  await app.register(manageRoutes, {
    prefix: MANAGE_PREFIX,
    service: options.service,
    token: options.token,
    bodyLimit: deployBodyLimit,
    onShutdown: options.onShutdown,
  });
  routes.route({
    ...ROUTES.prometheus,
    handler: async (_request, reply) => reply.type(PROMETHEUS_CONTENT_TYPE).send(prometheusText(options.service.all())),
  });
  return app;
}

/** The catalogue error for anything thrown while answering a request. */
export function toServerError(error: FastifyError | ServerError | Error, bodyLimit: number): ServerError {
  if (error instanceof ServerError) return error;
  const e = error as FastifyError;
  if (e.validation)
    return errors.badRequest(
      `${e.validationContext ?? 'body'}${e.validation[0]?.instancePath ?? ''} ${e.validation[0]?.message ?? e.message}`,
    );
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errors.bodyTooLarge(bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errors.badContentType(e.message.replace(/^Unsupported Media Type:?\s*/, '') || 'unknown');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errors.badJson('the body is empty.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return errors.badJson(e.message);
  }
  // A stack overflow while a request is handled comes from its body's nesting: bad input, not a server fault.
  if (e instanceof RangeError && /call stack/i.test(e.message)) return errors.tooDeep();
  if (e instanceof SyntaxError || (e.statusCode === 400 && /JSON/i.test(e.message))) return errors.badJson(e.message);
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500)
    // A ServerError or a thrown plain Error reaches here too, without fastify's code.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
    return new ServerError(e.code ?? 'LEPTON_BAD_REQUEST', e.statusCode, e.message);
  return errors.internal(e.message);
}
