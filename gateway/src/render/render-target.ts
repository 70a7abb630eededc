// The drop-in targets `gateway render` knows, by name, each with its renderer at its default ports.
import type { GatewayConfig } from '../config.js';
import { renderHaproxy } from './haproxy.js';
import { renderNginx } from './nginx.js';

export const RENDER_TARGETS = ['nginx', 'haproxy'] as const;
export type RenderTarget = (typeof RENDER_TARGETS)[number];

export function isRenderTarget(name: string | undefined): name is RenderTarget {
  return (RENDER_TARGETS as readonly string[]).includes(name ?? '');
}

export function renderTarget(target: RenderTarget, config: GatewayConfig): string {
  return target === 'nginx' ? renderNginx(config) : renderHaproxy(config);
}
