// The bench's --protocol flag: what each protocol measures, and which other flags make no sense with it (each
// refused with one line naming the flag). h1 is the bench as it always was; the others are measured with h2load.
import type { TargetName } from './targets.js';

export const PROTOCOLS = ['h1', 'h2', 'grpc', 'tls-handshake'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** The targets with a TLS listener and an h2c port: the gateway and the drop-ins rendered from its config. */
export const SECURE_TARGETS: readonly TargetName[] = ['gateway', 'nginx', 'haproxy'];

/** h2 and grpc: few connections, several streams each, as HTTP/2 clients do (100 calls in flight by default). */
export const DEFAULT_H2_CONNECTIONS = 10;
export const DEFAULT_STREAMS = 10;

/** The flags as parseArgs returned them, only those the protocol rules look at. */
export interface ProtocolFlags {
  tool?: string | undefined;
  rate?: string | undefined;
  pipelining?: string | undefined;
  routes?: string | undefined;
  node?: string | undefined;
  backends?: string | undefined;
  streams?: string | undefined;
  'proxy-configs'?: string | undefined;
}

/** The flag that makes no sense with `protocol` and why, or undefined when the combination is fine. */
export function protocolConflict(protocol: Protocol, flags: ProtocolFlags, targets: readonly TargetName[]): string | undefined {
  if (protocol === 'h1') {
    if (flags.tool === 'h2load') return '--tool h2load: h2load measures --protocol h2, grpc and tls-handshake; h1 uses autocannon, wrk or paced';
    if (flags.streams !== undefined) return '--streams: HTTP/2 streams per connection need --protocol h2 or grpc';
    return undefined;
  }
  const named = `with --protocol ${protocol}`;
  if (flags.tool !== undefined && flags.tool !== 'h2load') return `--tool: ${named} the load generator is h2load`;
  if (flags.rate !== undefined) return `--rate: not ${named} (h2load runs as fast as the target answers)`;
  if (flags.pipelining !== undefined) return `--pipelining: not ${named}${protocol === 'tls-handshake' ? '' : '; use --streams N'}`;
  if (flags.routes !== undefined) return `--routes: not ${named} (the gateway-routes target is HTTP/1.1 only)`;
  if (flags.node !== undefined) return `--node: not ${named} (the *-alt-node targets are HTTP/1.1 only)`;
  if (flags['proxy-configs'] !== undefined && flags['proxy-configs'] !== 'rendered') return `--proxy-configs: ${named} nginx and HAProxy run the rendered configs only (the minimal ones have no TLS or h2c listener)`;
  if (protocol === 'grpc' && flags.backends !== undefined) return '--backends: with --protocol grpc the backends are the demo gRPC Greeters';
  if (protocol === 'tls-handshake' && flags.streams !== undefined) return '--streams: not with --protocol tls-handshake (one request per connection)';
  const other = targets.find((name) => !SECURE_TARGETS.includes(name));
  if (other !== undefined) return `--targets: "${other}" has no TLS or h2c listener; ${named} the targets are ${SECURE_TARGETS.join(', ')}`;
  return undefined;
}
