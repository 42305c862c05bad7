// A reverse proxy in front of code-server that makes its pages cross-origin isolated: every
// response gets Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy:
// require-corp and Cross-Origin-Resource-Policy: cross-origin, and WebSocket upgrades pass
// through. code-server has no switch for it (vscode.dev has ?vscode-coi=on); behind this proxy the
// workbench, its web worker extension host and the workers that host starts have
// SharedArrayBuffer (shared/vscode-web.md, section 4). Uses the http-proxy module code-server ships.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { codeServerDir, freePort } from './codeServer.mjs';

const ISOLATING_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'cross-origin',
};

/** Starts the proxy to `target` (http://127.0.0.1:port) on a free loopback port: { port, base, close() }. */
export async function startIsolatingProxy(target) {
  const require = createRequire(join(codeServerDir, 'package.json'));
  const httpProxy = require('http-proxy');
  const proxy = httpProxy.createProxyServer({ target, ws: true, changeOrigin: false });
  proxy.on('proxyRes', (res) => Object.assign(res.headers, ISOLATING_HEADERS));
  proxy.on('error', (error, _req, res) => {
    if (res && 'writeHead' in res && !res.headersSent) res.writeHead(502).end(String(error));
    else res?.destroy?.();
  });
  const server = createServer((req, res) => proxy.web(req, res));
  server.on('upgrade', (req, socket, head) => proxy.ws(req, socket, head));
  // Every socket, upgraded ones (WebSockets) too: close() ends them all, or server.close() would
  // wait for them (closeAllConnections() leaves upgraded sockets alone).
  const sockets = new Set();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const port = await freePort();
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      proxy.close();
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    }),
  };
}
