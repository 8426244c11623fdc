/**
 * The model card: what a Lepton model shows as a cell result (`application/vnd.lepton.model+json`) — layers,
 * parameter count, size, the last training metrics — with a Deploy button and a name field, and a "Download
 * .tflite" button. Deploying goes through the kernel (`lepton.deploy` on the model the card shows); the deployment's
 * live status then appears in place. The download asks the kernel for `lepton.export.tflite` of the model.
 */
import { formatBytes } from '@lepton/lib/units';
import { isModelName } from '@lepton/server/names';
import {
  CARD_TFLITE_QUANTIZATIONS,
  type DeploymentCardData,
  type ModelSummaryJson,
  type TfliteDownloadRequest,
} from '@lepton/lib/contract';

/** What the card reads of the model bundle (`ModelSummaryJson`, as `lepton.summary` writes it). */
export type ModelCardData = Pick<
  ModelSummaryJson,
  'version' | 'id' | 'name' | 'layers' | 'params' | 'trainableParams' | 'bytes' | 'compiled'
> & {
  metrics?: ModelSummaryJson['metrics'];
};

/** What the card reads of the kernel's answer to a deploy request (the deployment card's data). */
export type DeployAnswer = Pick<DeploymentCardData, 'name' | 'version' | 'status' | 'url'>;

/** What the card asks of the kernel and of the panel. */
export interface ModelCardActions {
  /** Deploys the card's model under `name` through the kernel; rejects with the kernel's message. */
  deploy(modelId: string, name: string, metrics: Record<string, number> | undefined): Promise<DeployAnswer>;
  /** Shows a deployment's live status inside `node` (until the card goes away). */
  showStatus(node: HTMLElement, name: string): void;
  /** Exports the card's model to TFLite in the kernel and saves the file; resolves to its name and size. */
  downloadTflite?(modelId: string, quantize: TfliteChoice): Promise<{ fileName: string; bytes: number }>;
}

/** The TFLite files the card offers (int8 needs calibration data: export it from code). */
export const tfliteChoices = CARD_TFLITE_QUANTIZATIONS;
/** One of `tfliteChoices`. */
export type TfliteChoice = TfliteDownloadRequest['quantize'];

/** A name the model server accepts (letters, digits, `_ . -`), made from the model's name. */
export function deploymentName(modelName: string): string {
  const cleaned = modelName.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  return cleaned || 'model';
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  parent: HTMLElement,
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = className;
  if (text !== undefined) e.textContent = text;
  parent.appendChild(e);
  return e;
}

const shape = (s: unknown): string =>
  Array.isArray(s) && Array.isArray(s[0])
    ? (s as unknown[]).map(shape).join(', ')
    : Array.isArray(s)
      ? `(${(s as unknown[]).map((d): unknown => (d === null ? 'None' : d)).join(', ')})`
      : String(s);

/** The card of one model. */
export class ModelCardView {
  private readonly nameInput: HTMLInputElement;
  private readonly deployButton: HTMLButtonElement;
  private readonly result: HTMLDivElement;
  private data: ModelCardData | null = null;

  /**
   * @param node the element to render into
   * @param actions deploy through the kernel, and show a live status
   */
  constructor(
    readonly node: HTMLElement,
    private readonly actions: ModelCardActions,
  ) {
    node.classList.add('jp-LeptonModelCard');
    const body = el('div', 'jp-LeptonModelCard-body', node);
    body.dataset.role = 'summary';
    const form = el('form', 'jp-LeptonModelCard-deploy', node);
    const label = el('label', '', form, 'Deployment name ');
    this.nameInput = el('input', 'jp-mod-styled', label);
    this.nameInput.type = 'text';
    this.deployButton = el('button', 'jp-Button jp-mod-styled jp-mod-accept', form, 'Deploy');
    this.deployButton.type = 'submit';
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.deploy();
    });
    this.result = el('div', 'jp-LeptonModelCard-result', node);
    this.result.setAttribute('role', 'status');
    const download = actions.downloadTflite?.bind(actions);
    if (download) this.addTfliteDownload(node, download);
  }

  /** The "Download .tflite" row: a quantization choice and the button; its outcome shows in its own status line. */
  private addTfliteDownload(node: HTMLElement, download: NonNullable<ModelCardActions['downloadTflite']>): void {
    const row = el('div', 'jp-LeptonModelCard-tflite', node);
    const choice = el('select', 'jp-mod-styled', row);
    choice.setAttribute('aria-label', 'TFLite quantization');
    for (const q of tfliteChoices) Object.assign(el('option', '', choice, q), { value: q });
    const button = el('button', 'jp-Button jp-mod-styled', row, 'Download .tflite');
    button.type = 'button';
    const status = el('span', 'jp-LeptonModelCard-tfliteStatus', row);
    status.setAttribute('role', 'status');
    button.addEventListener('click', () => {
      if (!this.data) return;
      button.disabled = true;
      status.textContent = ' Exporting…';
      download(this.data.id, choice.value as TfliteChoice)
        .then((file) => (status.textContent = ` Saved ${file.fileName} (${formatBytes(file.bytes)})`))
        .catch(
          (error: unknown) =>
            (status.textContent = ` Export failed: ${error instanceof Error ? error.message : String(error)}`),
        )
        .finally(() => (button.disabled = false));
    });
  }

  /** Shows `data` (the deploy form keeps what the user typed). */
  update(data: ModelCardData): void {
    const first = this.data === null;
    this.data = data;
    const body = this.node.querySelector<HTMLElement>('[data-role=summary]')!;
    body.replaceChildren();
    const title = el('div', 'jp-LeptonModelCard-title', body);
    el('strong', '', title, data.name);
    el(
      'span',
      '',
      title,
      ` · ${data.params.toLocaleString('en-US')} parameters (${data.trainableParams.toLocaleString('en-US')} trainable) · ${formatBytes(data.bytes)}`,
    );
    if (data.compiled)
      el(
        'div',
        'jp-LeptonModelCard-compiled',
        body,
        `loss ${data.compiled.loss} · optimizer ${data.compiled.optimizer}${data.compiled.metrics.length ? ` · metrics ${data.compiled.metrics.join(', ')}` : ''}`,
      );
    if (data.metrics && Object.keys(data.metrics).length) {
      const metrics = el('dl', 'jp-LeptonModelCard-metrics', body);
      for (const [key, value] of Object.entries(data.metrics)) {
        el('dt', '', metrics, key);
        el('dd', '', metrics, value.toPrecision(4));
      }
    }
    const details = el('details', 'jp-LeptonModelCard-layers', body);
    el('summary', '', details, `${data.layers.length} layers`);
    const table = el('table', '', details);
    const head = el('tr', '', el('thead', '', table));
    for (const h of ['layer', 'type', 'output shape', 'params']) el('th', '', head, h);
    const rows = el('tbody', '', table);
    for (const layer of data.layers) {
      const tr = el('tr', '', rows);
      el('td', '', tr, layer.name);
      el('td', '', tr, layer.type);
      el('td', '', tr, shape(layer.outputShape));
      el('td', 'jp-LeptonModelCard-number', tr, layer.params.toLocaleString('en-US'));
    }
    if (first) this.nameInput.value = deploymentName(data.name);
    this.nameInput.setAttribute('aria-label', `deployment name for ${data.name}`);
    this.deployButton.setAttribute('aria-label', `Deploy ${data.name}`);
  }

  private async deploy(): Promise<void> {
    if (!this.data) return;
    const name = this.nameInput.value.trim();
    if (!isModelName(name)) {
      this.result.textContent = `"${name}" cannot name a deployment: use letters, digits, "_", "." or "-" (up to 64), starting with a letter or digit, without "..".`;
      return;
    }
    this.deployButton.disabled = true;
    this.result.textContent = `Deploying ${name}…`;
    try {
      const answer = await this.actions.deploy(this.data.id, name, this.data.metrics ?? undefined);
      this.result.replaceChildren();
      const line = el('div', '', this.result);
      // The live status line names the deployment and its current version (a redeploy changes it), so the line only
      // adds the endpoint's link after it.
      line.append('Deployed: ');
      const status = el('span', '', line);
      line.append(
        ' · ',
        Object.assign(document.createElement('a'), { href: answer.url, target: '_blank', textContent: 'endpoint' }),
      );
      this.actions.showStatus(status, answer.name);
    } catch (error) {
      this.result.textContent = `Deploy failed: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      this.deployButton.disabled = false;
    }
  }
}
