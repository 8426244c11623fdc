/**
 * The types of every route, derived from the route table (`table.ts`): what a client sends (method, path, params,
 * query, body) and what it reads back (the reply of a success status), keyed by the route's name. Both clients take
 * their types from here (`client.ts` and the JupyterLab extension's `api/client.ts`), so a schema changed in the table
 * breaks their compile instead of their calls. The module imports the table as a type only, so it runs without fastify
 * or TypeBox: the extension's browser bundle takes it as `@lepton/server/routes`.
 */
import type { Static, TSchema } from 'typebox';
import type { ROUTES } from './table.js';

/** The route table's type: each entry's method and URL as literals, and its TypeBox schemas. */
export type RouteTable = typeof ROUTES;

/** The name of a route in the table, e.g. `deploy` or `infer`. */
export type RouteName = keyof RouteTable;

/**
 * The routes of the management API, which `manage.ts` registers under `MANAGE_PREFIX` (`/lepton/v1`): their table
 * URLs are relative to it. The table's entries carry no mount of their own, hence this list; a name that is not in
 * the table fails to compile here.
 */
export type ManageRouteName = Extract<
  RouteName,
  | 'deployments'
  | 'deploy'
  | 'deployment'
  | 'redeploy'
  | 'rollback'
  | 'stop'
  | 'start'
  | 'remove'
  | 'removeVersion'
  | 'logs'
  | 'logStream'
  | 'deploymentMetrics'
  | 'allMetrics'
  | 'shutdown'
>;

/** The body a route without a body schema takes: none, or an empty object (fastify reads neither). */
export type NoBody = Record<string, never> | undefined;

/** The static type of `schema[part]` of route `N`, or `Otherwise` when the route declares no such schema. */
export type RoutePart<N extends RouteName, K extends string, Otherwise> =
  RouteTable[N] extends Record<'schema', infer S>
    ? S extends { [P in K]: infer T extends TSchema }
      ? Static<T>
      : Otherwise
    : Otherwise;

/** The HTTP statuses of a successful answer, whose reply schemas make a route's reply type. */
export type SuccessStatus = 200 | 201 | 202 | 204;

/**
 * The reply of route `N` on success: the union of its 2xx response schemas (`unknown` without one, e.g. a text or
 * event-stream answer). A handler may send a reply it wrote as text itself (the infer answer, `encode.ts`); a client
 * reads back the JSON that text holds, so `string` and `Buffer` are not part of what it gets.
 */
export type RouteReply<N extends RouteName> =
  RouteTable[N] extends Record<'schema', Record<'response', infer R>>
    ? Exclude<
        { [C in keyof R & SuccessStatus]: R[C] extends TSchema ? Static<R[C]> : never }[keyof R & SuccessStatus],
        string | Buffer
      >
    : unknown;

/**
 * Turns a table URL into the paths that reach it: each `:param` segment becomes any text, so
 * `/deployments/:name/stop` gives `` `/deployments/${string}/stop` ``.
 */
export type PathPattern<U extends string> = U extends `${infer Head}:${string}/${infer Rest}`
  ? `${Head}${string}/${PathPattern<Rest>}`
  : U extends `${infer Head}:${string}`
    ? `${Head}${string}`
    : U;

/** Everything a client needs to know about each route, keyed by its name in the table. */
export type RouteTypes = {
  [N in RouteName]: {
    /** The HTTP method. */
    method: RouteTable[N]['method'];
    /** The URL as the table writes it (`:name` for a parameter; relative to `/lepton/v1` for management routes). */
    url: RouteTable[N]['url'];
    /** The URL's parameters. */
    params: RoutePart<N, 'params', Record<string, never>>;
    /** The query string's fields, `undefined` for a route that reads none. */
    querystring: RoutePart<N, 'querystring', undefined>;
    /** The JSON body sent. */
    body: RoutePart<N, 'body', NoBody>;
    /** The JSON answer on success. */
    reply: RouteReply<N>;
  };
};

/** A path of route `N` as a client writes it (relative as the table's URL is), its parameters filled in. */
export type RoutePath<N extends RouteName> = PathPattern<RouteTypes[N]['url']>;

/**
 * A request a client sends to route `N`: the method and path the table gives it, its query and its body, each
 * required when the route's schema requires it.
 */
export type RouteRequest<N extends RouteName> = {
  /** The route's HTTP method. */
  method: RouteTypes[N]['method'];
  /** The route's path, its parameters filled in (e.g. `/deployments/a/stop`). */
  path: RoutePath<N>;
} & (undefined extends RouteTypes[N]['body']
  ? {
      /** The JSON body, which the route's schema makes optional. */
      body?: Exclude<RouteTypes[N]['body'], undefined>;
    }
  : {
      /** The JSON body, as the route's schema requires it. */
      body: RouteTypes[N]['body'];
    }) &
  (undefined extends RouteTypes[N]['querystring']
    ? {
        /** The query string's fields, which the route's schema makes optional. */
        query?: Exclude<RouteTypes[N]['querystring'], undefined>;
      }
    : {
        /** The query string's fields, as the route's schema requires them. */
        query: RouteTypes[N]['querystring'];
      });

/** What every {@link RouteRequest} has, as a client's sending code reads it. */
export interface SentRequest {
  /** The HTTP method. */
  method: string;
  /** The path relative to the route's mount, its parameters filled in. */
  path: string;
  /** The JSON body, if one is sent. */
  body?: unknown;
  /** The query string's fields; unset ones are left out. */
  query?: Record<string, string | undefined>;
}

/**
 * The path and query string of a request, e.g. `/deployments/a/logs?tail=20`: the query's set fields are appended
 * in order, encoded. The path's parameters are the caller's to encode (`encodeURIComponent`).
 */
export function requestPath(request: SentRequest): string {
  const fields = Object.entries(request.query ?? {}).filter(
    (field): field is [string, string] => field[1] !== undefined,
  );
  return fields.length === 0 ? request.path : `${request.path}?${new URLSearchParams(fields).toString()}`;
}
