// A stand-in for one pod's containers, run inside the network namespace at the pod's IP: it listens on each of the
// pod's container ports and answers every request with where it landed (pod, namespace, port) as JSON, so a test
// can tell which pod and port a request was routed to. The JSON is also the one the Gateway API conformance suite's
// echo server (echo-basic) answers with (path, host, method, proto, headers, namespace, pod), which the suite's
// requests parse, and an `X-Echo-Set-Header: name:value,...` request header sets those response headers as echo-basic
// does. echo-basic's other paths (/status/NNN, /retry/, ?delay=) serve extended features only and are not copied.
// Usage: node backend.cjs POD NAMESPACE PORT[,PORT...] [NETNS]   (NETNS: the harness's namespace, for its sweeps)
'use strict';
const http = require('node:http');

const [pod, namespace, portList] = process.argv.slice(2);
const ports = (portList || '').split(',').filter(Boolean).map(Number);
if (!pod || !namespace || ports.length === 0 || ports.some(p => !Number.isInteger(p) || p < 1 || p > 65535)) {
  process.stderr.write('usage: node backend.cjs POD NAMESPACE PORT[,PORT...]\n');
  process.exit(2);
}

/** The request's headers as echo-basic reports them: every value kept, Host apart (Go keeps it out of the map). */
function requestHeaders(req) {
  const out = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) if (name !== 'host') out[name] = values;
  return out;
}

/** echo-basic's writeEchoResponseHeaders: each `name:value` of X-Echo-Set-Header becomes a response header. */
function echoSetHeaders(req) {
  const set = {};
  for (const list of req.headersDistinct['x-echo-set-header'] ?? []) {
    for (const kv of list.split(',')) {
      const [name, ...rest] = kv.trim().split(':');
      // A name Node would refuse (and throw on) is dropped rather than crash the backend.
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) continue;
      set[name] = set[name] === undefined ? rest.join(':') : `${set[name]},${rest.join(':').trim()}`;
    }
  }
  return set;
}

let listening = 0;
for (const port of ports) {
  const server = http.createServer((req, res) => {
    const body = JSON.stringify({
      pod, namespace, port, host: req.headers.host ?? null, path: req.url, method: req.method,
      proto: `HTTP/${req.httpVersion}`, headers: requestHeaders(req), httpPort: String(port),
    });
    res.writeHead(200, { ...echoSetHeaders(req), 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-backend-pod': pod });
    res.end(body);
  });
  server.on('error', e => {
    process.stderr.write(`backend ${pod}: port ${port}: ${e.message}\n`);
    process.exit(1);
  });
  server.listen(port, '0.0.0.0', () => {
    // One line on stdout once every port listens: the harness waits for it.
    if (++listening === ports.length) process.stdout.write(`listening ${ports.join(',')}\n`);
  });
}
process.on('SIGTERM', () => process.exit(0));
