// A stand-in for one pod's containers, run inside the network namespace at the pod's IP: it listens on each of the
// pod's container ports and answers every request with where it landed (pod, namespace, port) as JSON, so a test
// can tell which pod and port a request was routed to.
// Usage: node backend.cjs POD NAMESPACE PORT[,PORT...] [NETNS]   (NETNS: the harness's namespace, for its sweeps)
'use strict';
const http = require('node:http');

const [pod, namespace, portList] = process.argv.slice(2);
const ports = (portList || '').split(',').filter(Boolean).map(Number);
if (!pod || !namespace || ports.length === 0 || ports.some(p => !Number.isInteger(p) || p < 1 || p > 65535)) {
  process.stderr.write('usage: node backend.cjs POD NAMESPACE PORT[,PORT...]\n');
  process.exit(2);
}

let listening = 0;
for (const port of ports) {
  const server = http.createServer((req, res) => {
    const body = JSON.stringify({ pod, namespace, port, host: req.headers.host ?? null, path: req.url, method: req.method });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-backend-pod': pod });
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
