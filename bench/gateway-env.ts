// The GATEWAY_* environment of the bench's gateway: the pool config the gateway runs with, and that the
// rendered nginx and HAProxy configs are made from, so all three serve the same pool the same way.

/** Variables from the bench's own environment (e.g. pool sizes under study), passed on unless the bench sets them. */
export function passedGatewayEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[0].startsWith('GATEWAY_') && entry[1] !== undefined));
}

export function gatewayEnv(backendOrigins: readonly string[]): Record<string, string> {
  return {
    ...passedGatewayEnv(),
    GATEWAY_BACKENDS: backendOrigins.join(','),
    GATEWAY_LISTEN_HOST: '127.0.0.1',
    GATEWAY_LOG_ACCESS: 'false',
  };
}
