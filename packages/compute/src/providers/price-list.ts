import type { ComputeNode } from './catalog-types.ts';

/**
 * Hourly prices in US dollars by `model` (one GPU) or `COUNTxmodel` (a whole machine). Defaults
 * are public on-demand list prices noted in issue 8 (2026-11): RTX 4090 $0.18, A100 80GB $1.49,
 * H100 $2.20, 8×A100 $11.92. Editable: pass another list, or set a node's own price.
 */
export const DEFAULT_PRICE_LIST: Readonly<Record<string, number>> = Object.freeze({
  'rtx-4090': 0.18,
  'a100-80gb': 1.49,
  h100: 2.2,
  '8xa100-80gb': 11.92,
});

/** The node's hourly price: its own, else the list price of the machine, else per GPU × count; undefined if unknown. */
export function nodePricePerHour(node: Pick<ComputeNode, 'gpu' | 'pricePerHourUsd'>, list: Readonly<Record<string, number>> = DEFAULT_PRICE_LIST): number | undefined {
  if (node.pricePerHourUsd !== undefined) return node.pricePerHourUsd;
  const machine = list[`${String(node.gpu.count)}x${node.gpu.model}`];
  if (machine !== undefined) return machine;
  const one = list[node.gpu.model];
  return one === undefined ? undefined : Math.round(one * node.gpu.count * 1e6) / 1e6;
}
