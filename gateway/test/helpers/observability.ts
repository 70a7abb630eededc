// Reads a test gateway's /metrics from its admin listener and parses it.
import { request } from 'undici';
import { parseExposition, type Exposition } from './prometheus-text.js';

export async function scrape(adminUrl: string): Promise<{ text: string; exposition: Exposition; contentType: string }> {
  const response = await request(`${adminUrl}/metrics`);
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`GET /metrics answered ${response.statusCode}: ${text}`);
  return { text, exposition: parseExposition(text), contentType: String(response.headers['content-type']) };
}
