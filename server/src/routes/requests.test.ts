import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestPath, type RouteRequest, type RouteTypes } from './requests.js';

// The `@ts-expect-error` lines are the compile-time half of these tests: `npm run build` compiles this file and fails
// if one of them compiles without an error, that is, if the table stopped catching the mistake it marks.

describe('requests typed from the route table', () => {
  it('accepts a deploy request shaped as its schema and refuses a misspelt or missing field', () => {
    const good: RouteRequest<'deploy'> = { method: 'POST', path: '/deployments', body: { name: 'a', model: 'AA==' } };
    // @ts-expect-error `modle` is not a field of the deploy body, and `model` is required.
    const misspelt: RouteRequest<'deploy'> = { method: 'POST', path: '/deployments', body: { name: 'a', modle: 'x' } };
    // @ts-expect-error a deploy request carries a body.
    const bodiless: RouteRequest<'deploy'> = { method: 'POST', path: '/deployments' };
    assert.equal(good.body.name, 'a');
    assert.equal(requestPath(misspelt), '/deployments');
    assert.equal(requestPath(bodiless), '/deployments');
  });

  it("refuses a method or a path that is not the route's", () => {
    // @ts-expect-error stop is a POST.
    const wrongMethod: RouteRequest<'stop'> = { method: 'GET', path: '/deployments/a/stop' };
    // @ts-expect-error the stop route is `/deployments/:name/stop`.
    const wrongPath: RouteRequest<'stop'> = { method: 'POST', path: '/deployment/a/stop' };
    const name = 'a b';
    const right: RouteRequest<'stop'> = { method: 'POST', path: `/deployments/${encodeURIComponent(name)}/stop` };
    assert.equal(requestPath(right), '/deployments/a%20b/stop');
    assert.equal(wrongMethod.method, 'GET');
    assert.equal(wrongPath.path, '/deployment/a/stop');
  });

  it('types the query as its schema does and writes it encoded after the path', () => {
    const logs: RouteRequest<'logs'> = { method: 'GET', path: '/deployments/a/logs', query: { tail: '20' } };
    assert.equal(requestPath(logs), '/deployments/a/logs?tail=20');
    // @ts-expect-error `tail` is checked as text by the schema (query strings are not coerced).
    const numeric: RouteRequest<'logs'> = { method: 'GET', path: '/deployments/a/logs', query: { tail: 20 } };
    assert.equal(numeric.method, 'GET');
    assert.equal(
      requestPath({ method: 'GET', path: '/x', query: { a: 'b&c', unset: undefined } }),
      '/x?a=b%26c',
      'an unset field is left out and a set one is encoded',
    );
  });

  it("gives each route its schema's reply, with the fields a client reads", () => {
    const info: RouteTypes['deployment']['reply'] = {
      name: 'a',
      status: 'ready',
      version: '1',
      versions: ['1'],
      requests: 0,
      errors: 0,
      alerts: 0,
      metrics: {} as RouteTypes['deploymentMetrics']['reply'],
      log: { writeFailures: 0 },
    };
    // @ts-expect-error `status` is one of loading, ready, stopped or failed.
    const unknownStatus: RouteTypes['deployment']['reply']['status'] = 'serving';
    const stopping: RouteTypes['shutdown']['reply'] = { stopping: true };
    // @ts-expect-error the infer answer reaches a client as JSON, never as the text the handler wrote.
    const text: RouteTypes['infer']['reply'] = '{}';
    assert.equal(info.status, 'ready');
    assert.equal(stopping.stopping, true);
    assert.equal(typeof unknownStatus, 'string');
    assert.equal(typeof text, 'string');
  });

  it('takes no body on a route without a body schema beyond an empty object', () => {
    const stop: RouteRequest<'stop'> = { method: 'POST', path: '/deployments/a/stop', body: {} };
    // @ts-expect-error stop reads no body.
    const withBody: RouteRequest<'stop'> = { method: 'POST', path: '/deployments/a/stop', body: { now: true } };
    assert.deepEqual(stop.body, {});
    assert.equal(requestPath(withBody), '/deployments/a/stop');
  });
});
