/**
 * How a deployment displays: a card (name, version, status, URL, an example `curl` and the TypeScript call), its
 * `text/plain` form, and the `application/vnd.lepton.deployment+json` bundle a JupyterLab panel reads.
 */
import type { TensorSpec } from '@lepton/server';
import type { MimeBundle } from '../display/mime.js';

/** The MIME type of the deployment bundle. */
export { DEPLOYMENT_MIME } from '../contract/mime.js';
import { DEPLOYMENT_MIME } from '../contract/mime.js';

export type { DeploymentCardData } from '../contract/bundles.js';
import type { DeploymentCardData } from '../contract/bundles.js';

/** An example infer request body: one row of zeros per input (empty strings for BYTES inputs, e.g. a pipeline graph's categories). */
export function exampleRequest(inputs: readonly TensorSpec[]): {
  inputs: Array<{ name: string; shape: number[]; datatype: string; data: Array<number | string> }>;
} {
  return {
    inputs: inputs.map((spec) => {
      const shape = spec.shape.map((d) => (d === -1 ? 1 : d));
      return {
        name: spec.name,
        shape,
        datatype: spec.datatype,
        data: new Array<number | string>(shape.reduce((a, b) => a * b, 1)).fill(spec.datatype === 'BYTES' ? '' : 0),
      };
    }),
  };
}

/** The example `curl` command (for image deployments, an image file sent as base64). */
export function curlExample(card: DeploymentCardData): string {
  if (card.rawInput?.kind === 'image') {
    const body = `{"parameters":{"lepton_preprocess":true},"inputs":[{"name":"${card.rawInput.input}","datatype":"BYTES","shape":[1],"data":["'"$(base64 -w0 image.png)"'"]}]}`;
    return `curl -s -X POST ${card.inferUrl} -H 'content-type: application/json' -d '${body}'`;
  }
  return `curl -s -X POST ${card.inferUrl} -H 'content-type: application/json' -d '${JSON.stringify(exampleRequest(card.inputs))}'`;
}

/** The example TypeScript call. */
export function clientExample(card: DeploymentCardData): string {
  return (
    `const response = await fetch('${card.inferUrl}', {\n` +
    `  method: 'POST', headers: { 'content-type': 'application/json' },\n` +
    `  body: JSON.stringify(${JSON.stringify(exampleRequest(card.inputs))}),\n` +
    `});\n` +
    `const { outputs } = await response.json();\n` +
    `// in a Lepton notebook: (await lepton.deployments()).find((d) => d.name === '${card.name}')?.${card.rawInput?.kind === 'image' ? "predictImages(['image.png'])" : 'predict(x)'}`
  );
}

/** The card's MIME bundle. */
export function cardBundle(card: DeploymentCardData): MimeBundle {
  const text =
    `Deployment ${card.name} v${card.version} — ${card.status}\n` +
    `  URL:  ${card.url}\n` +
    `  curl: ${curlExample(card)}\n` +
    `  TypeScript:\n${clientExample(card).replace(/^/gm, '    ')}`;
  const colour = card.status === 'ready' ? '#1a7f37' : card.status === 'failed' ? '#cf222e' : '#9a6700';
  const html =
    `<div class="lepton-deployment" style="border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;max-width:760px">` +
    `<div><b>${esc(card.name)}</b> v${esc(card.version)} ` +
    `<span style="color:${colour};font-weight:bold">● ${esc(card.status)}</span></div>` +
    `<div>URL: <a href="${esc(card.url)}" target="_blank"><code>${esc(card.url)}</code></a> · versions: ${card.versions.map(esc).join(', ')}</div>` +
    `<details><summary>curl</summary><pre>${esc(curlExample(card))}</pre></details>` +
    `<details><summary>TypeScript</summary><pre>${esc(clientExample(card))}</pre></details>` +
    `</div>`;
  return { [DEPLOYMENT_MIME]: card, 'text/html': html, 'text/plain': text };
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
