/** Small text and SVG pieces shared by the deployment status line and the deployments panel. */
import type { DeploymentInfo } from '../api/types.js';

/** Milliseconds as "0.84 ms" or "12 ms". */
export const formatMs = (ms: number): string => (ms >= 10 ? `${Math.round(ms)} ms` : `${ms.toFixed(2)} ms`);

/** A share as "0.0 %". */
export const formatPercent = (share: number): string => `${(share * 100).toFixed(1)} %`;

/** "p50 0.84 ms · p95 1.2 ms · p99 3.1 ms" over the last minute. */
export function latencyText(info: DeploymentInfo): string {
  const l = info.metrics.lastMinute.latencyMs;
  return `p50 ${formatMs(l.p50)} · p95 ${formatMs(l.p95)} · p99 ${formatMs(l.p99)}`;
}

/** A status badge's text and `data-status`, for styling by status. */
export function setBadge(badge: HTMLElement, status: string): void {
  badge.textContent = status;
  badge.dataset.status = status;
}

/** Draws `values` (e.g. requests per second, oldest first) as a small SVG line into `svg`. */
export function drawSparkline(svg: SVGSVGElement, values: readonly number[], width = 120, height = 24): void {
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const d = values
    .map((v, i) => `${i ? 'L' : 'M'}${(i * step).toFixed(1)},${(height - 1 - (v / max) * (height - 2)).toFixed(1)}`)
    .join('');
  let path = svg.querySelector('path');
  if (!path) {
    path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.setAttribute('fill', 'none');
    svg.appendChild(path);
  }
  path.setAttribute('d', d);
  svg.dataset.max = String(Math.max(0, ...values));
}
