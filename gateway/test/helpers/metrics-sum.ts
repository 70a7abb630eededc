// One counter's value from a running gateway's /metrics, summed over the series matching `where`.
import { parseExposition, sum } from './prometheus-text.js';

export async function metricSum(adminUrl: string, name: string, where: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  return sum(parseExposition(text), name, where);
}
