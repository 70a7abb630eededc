// Loads the configuration: defaults, then the JSON file, then GATEWAY_* environment variables.
// Any invalid value becomes one ConfigError line naming the key (or the variable) and what is allowed.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { configSchema, type GatewayConfig } from './config-schema.js';

export type { GatewayConfig, BackendSpec } from './config-schema.js';

export const DEFAULT_CONFIG_FILE = 'gateway.config.json';
const ENV_PREFIX = 'GATEWAY_';

/** A configuration mistake; its message is the one line the CLI prints before exiting 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type LeafKind = 'number' | 'boolean' | 'string' | 'list' | 'numbers' | 'json';
interface EnvKey {
  env: string;
  path: string[];
  kind: LeafKind;
}

/** Every leaf key of the schema, with its environment variable: healthCheck.intervalMs → GATEWAY_HEALTH_CHECK_INTERVAL_MS. */
export const ENV_KEYS: readonly EnvKey[] = collectEnvKeys(configSchema);

export interface LoadConfigOptions {
  /** Path of the JSON file; undefined means gateway.config.json when it exists, else defaults only. */
  file?: string;
  env?: NodeJS.ProcessEnv;
}

export function loadConfig(options: LoadConfigOptions = {}): GatewayConfig {
  const env = options.env ?? process.env;
  const raw = readConfigFile(options.file ?? env.GATEWAY_CONFIG);
  const fromEnv = applyEnv(raw, env);
  const parsed = configSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new ConfigError(describeIssue(parsed.error.issues[0]!, raw, fromEnv));
}

function readConfigFile(file: string | undefined): Record<string, unknown> {
  const path = file ?? DEFAULT_CONFIG_FILE;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (file === undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`config file ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${path}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`config file ${path}: the top level is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Writes env overrides into raw; returns which dotted paths came from which variable. */
function applyEnv(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Map<string, { env: string; text: string }> {
  const sources = new Map<string, { env: string; text: string }>();
  for (const key of ENV_KEYS) {
    const text = env[key.env];
    if (text === undefined) continue;
    let target = raw;
    for (const part of key.path.slice(0, -1)) {
      const next = target[part];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) target[part] = {};
      target = target[part] as Record<string, unknown>;
    }
    target[key.path.at(-1)!] = parseEnvValue(text, key.kind);
    sources.set(key.path.join('.'), { env: key.env, text });
  }
  return sources;
}

function parseEnvValue(text: string, kind: LeafKind): unknown {
  switch (kind) {
    case 'number':
      return text.trim() === '' ? Number.NaN : Number(text);
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'list':
      return splitList(text);
    case 'numbers':
      return splitList(text).map((item) => (/^-?\d+(\.\d+)?$/.test(item) ? Number(item) : item));
    case 'string':
      return text;
    case 'json':
      // Pools and routes are structures: GATEWAY_ROUTES='[{"name":"api",…}]'. Text that is not JSON stays text,
      // and the schema names the variable.
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
  }
}

/** Comma-separated lists in the environment: GATEWAY_BACKENDS=http://a:1,http://b:2. */
function splitList(text: string): string[] {
  return text.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

function describeIssue(issue: z.ZodIssue, raw: Record<string, unknown>, fromEnv: Map<string, { env: string; text: string }>): string {
  if (issue.code === z.ZodIssueCode.unrecognized_keys) {
    const at = issue.path.length > 0 ? `${issue.path.join('.')}.` : '';
    return `${at}${issue.keys[0]}: unknown key (see the configuration table in the README)`;
  }
  const dotted = issue.path.join('.');
  for (const [path, source] of fromEnv) {
    if (dotted === path || dotted.startsWith(`${path}.`)) {
      const value = issue.path.length > path.split('.').length ? valueAt(raw, issue.path) : source.text;
      return `${source.env}: ${JSON.stringify(value)} ${issue.message}`;
    }
  }
  const value = valueAt(raw, issue.path);
  // A missing key: the schema's own word is "is required"; a check across keys says why it is needed.
  if (value === undefined) return `${dotted}: ${issue.code === z.ZodIssueCode.custom ? issue.message : 'is required'}`;
  return `${dotted}: ${JSON.stringify(value)} ${issue.message}`;
}

/** The value at path, or the deepest one present on the way (a backend written as a bare URL string). */
function valueAt(root: unknown, path: (string | number)[]): unknown {
  let value = root;
  for (const part of path) {
    if (typeof value !== 'object' || value === null) return value === root ? undefined : value;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

function collectEnvKeys(schema: z.ZodTypeAny, path: string[] = []): EnvKey[] {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) {
    return Object.entries(inner.shape as Record<string, z.ZodTypeAny>).flatMap(([key, child]) => collectEnvKeys(child, [...path, key]));
  }
  const env = ENV_PREFIX + path.map((part) => part.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()).join('_');
  // Backends (a list of URL-or-object entries) stay a comma list; a list of plain objects (routes) is JSON.
  const kind: LeafKind = inner instanceof z.ZodRecord || (inner instanceof z.ZodArray && inner.element instanceof z.ZodObject)
    ? 'json'
    : inner instanceof z.ZodArray
    ? unwrap(inner.element) instanceof z.ZodNumber ? 'numbers' : 'list'
    : inner instanceof z.ZodNumber ? 'number' : inner instanceof z.ZodBoolean ? 'boolean' : 'string';
  return [{ env, path, kind }];
}

function unwrap(schema: z.ZodTypeAny): z.ZodTypeAny {
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) return unwrap(schema._def.innerType);
  if (schema instanceof z.ZodEffects) return unwrap(schema.innerType());
  return schema;
}
