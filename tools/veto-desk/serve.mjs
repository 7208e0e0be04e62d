// Serves the veto desk (dist/) with the node it talks to and, for a chain whose verifying key
// came from a ceremony, the proving key to prove with. No dependencies: node:http and the files.
//
//   node serve.mjs [--host 127.0.0.1] [--port 8090] [--rpc ws://127.0.0.1:9944]
//                  [--proving-key final.zkey --depth 20] [--behind-tls]
//
// A dev chain needs no proving key: the page regenerates the insecure dev key itself.
// Plain HTTP is served on loopback only: the page's vault needs a secure context (WebCrypto),
// and a page sent in the clear over a network could be rewritten on its way. To publish the
// desk, put it behind a TLS reverse proxy and pass --behind-tls with the address it binds.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { dirname, extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values: options } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "8090" },
    rpc: { type: "string", default: "ws://127.0.0.1:9944" },
    "proving-key": { type: "string" },
    depth: { type: "string" },
    "behind-tls": { type: "boolean", default: false },
  },
});
const provingKey = options["proving-key"];
if (provingKey && !options.depth) throw new Error("--proving-key needs --depth (the circuit's depth, e.g. 20)");
const loopback = ["127.0.0.1", "::1", "localhost"].includes(options.host) || options.host.startsWith("127.");
if (!loopback && !options["behind-tls"]) {
  throw new Error(`${options.host} is not a loopback address: serve the desk on loopback, or behind a TLS proxy with --behind-tls`);
}
const rpcOrigin = new URL(options.rpc);
if (!["ws:", "wss:"].includes(rpcOrigin.protocol)) throw new Error(`--rpc ${options.rpc} is not a ws:// or wss:// address`);
// Read once: the key does not change while the desk runs.
const provingKeyBytes = provingKey ? await readFile(provingKey) : null;

const root = join(dirname(fileURLToPath(import.meta.url)), "dist");
const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".wasm": "application/wasm",
  ".png": "image/png",
};
const config = JSON.stringify({
  rpc: options.rpc,
  provingKey: provingKey ? { url: "/proving-key", depth: Number(options.depth) } : null,
});

async function respond(request, response) {
  const path = decodeURIComponent(new URL(request.url, "http://desk").pathname);
  if (request.method !== "GET" && request.method !== "HEAD") return send(response, 405, "text/plain", "GET only");
  if (path === "/config.json") return send(response, 200, types[".json"], config);
  if (path === "/proving-key" && provingKeyBytes) {
    return send(response, 200, "application/octet-stream", provingKeyBytes);
  }
  // Only files under dist/: a path that climbs out is refused, not resolved.
  const file = normalize(join(root, path === "/" ? "index.html" : path));
  if (!file.startsWith(root + sep)) return send(response, 404, "text/plain", "not found");
  try {
    if (!(await stat(file)).isFile()) return send(response, 404, "text/plain", "not found");
    return send(response, 200, types[extname(file)] ?? "application/octet-stream", await readFile(file));
  } catch {
    return send(response, 404, "text/plain", "not found");
  }
}

function send(response, status, type, body) {
  response.writeHead(status, {
    "content-type": type,
    "cache-control": "no-cache",
    // The page talks to its server and its node, and to nothing else; no other site may frame
    // it (a hidden desk under a decoy page would take the citizen's clicks).
    "content-security-policy": [
      "default-src 'self'",
      `connect-src 'self' ${rpcOrigin.origin}`,
      "script-src 'self' 'wasm-unsafe-eval'",
      "style-src 'self'",
      "img-src 'self' data:",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join("; "),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  });
  response.end(body);
}

const server = createServer((request, response) => {
  respond(request, response).catch(() => send(response, 500, "text/plain", "the desk's server failed to answer"));
});
server.on("error", (err) => {
  console.error(`veto desk: cannot serve on ${options.host}:${options.port}: ${err.message}${err.code === "EADDRINUSE" ? " (set another --port, or TEO_DESK_PORT for run-dev-chain.sh)" : ""}`);
  process.exit(1);
});
server.listen(Number(options.port), options.host, () => {
  const { port } = server.address();
  console.log(`veto desk: http://${options.host}:${port}/ (node ${options.rpc}${provingKey ? `, proving key ${provingKey}` : ", dev key"})`);
});
