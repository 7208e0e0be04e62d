// A node that lies about one leaf while it serves the chain's subtree roots and root, which
// then still add up (docs/PERSONHOOD.md, "Subtree roots"): a JSON-RPC proxy in front of a real
// dev node changes leaf 3 of the citizens' group in every storage answer. teo-citizen must say
// that the node contradicts itself, and prove nothing; before the clients checked leaves
// against their subtree's root, it told //Alice, a member, that she was none.
//
//   node tests/lying-node.test.mjs --node teo-node --citizen teo-citizen
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

import { u8aToHex } from "@polkadot/util";
import { xxhashAsU8a } from "@polkadot/util-crypto";
import WebSocket, { WebSocketServer } from "ws";

import { freePort, startProcess, stopAll } from "./harness.mjs";

const { values: options } = parseArgs({ options: { node: { type: "string" }, citizen: { type: "string" } } });
if (!options.node || !options.citizen) throw new Error("usage: --node <teo-node> --citizen <teo-citizen>");

const ALICE = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
const log = (text) => console.log(`[lying-node] ${text}`);
const children = [];
const proxies = [];
const base = mkdtempSync(join(tmpdir(), "teo-lying-node-"));
// The whole test stops itself, whatever hangs.
const deadline = setTimeout(() => fail(new Error("the test ran over five minutes")), 300_000);

async function fail(err) {
  console.error(`[lying-node] FAILED: ${err?.stack ?? err}`);
  await cleanup();
  process.exit(1);
}
async function cleanup() {
  clearTimeout(deadline);
  for (const proxy of proxies) proxy.close();
  // The node must be gone before its folder is removed.
  await stopAll(children);
  rmSync(base, { recursive: true, force: true });
}

/** The storage key of leaf `index` of group `group` (`Twox64Concat` twice), as lowercase hex. */
function leafKey(group, index) {
  const u32 = (n) => {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, n, true);
    return bytes;
  };
  const concat = (n) => u8aToHex(xxhashAsU8a(u32(n), 64), -1, false) + u8aToHex(u32(n), -1, false);
  const prefix = u8aToHex(xxhashAsU8a("Personhood", 128)) + u8aToHex(xxhashAsU8a("Leaves", 128), -1, false);
  return prefix + concat(group) + concat(index);
}

/** A JSON-RPC proxy on `port` to the node at `upstream`; with `lie`, the value of `key` in every
 * `state_queryStorageAt` and `state_getStorage` answer has its last bit flipped. Resolves with
 * a counter of the answers it changed. */
function startProxy(port, upstream, key, lie) {
  const changed = { count: 0 };
  const server = new WebSocketServer({ host: "127.0.0.1", port });
  server.on("connection", (client) => {
    const node = new WebSocket(upstream);
    const queued = [];
    // Which request ids asked for storage, and so may carry the leaf.
    const storageIds = new Set();
    node.on("open", () => queued.splice(0).forEach((m) => node.send(m)));
    client.on("message", (data) => {
      const text = data.toString();
      const request = JSON.parse(text);
      if (request.method === "state_queryStorageAt" || request.method === "state_getStorage") storageIds.add(request.id);
      node.readyState === WebSocket.OPEN ? node.send(text) : queued.push(text);
    });
    node.on("message", (data) => {
      let text = data.toString();
      const answer = JSON.parse(text);
      if (lie && storageIds.delete(answer.id) && text.includes(key.slice(2))) {
        const flip = (value) => value.slice(0, -1) + (parseInt(value.slice(-1), 16) ^ 1).toString(16);
        if (Array.isArray(answer.result)) {
          for (const set of answer.result) set.changes = set.changes.map(([k, v]) => [k, k === key && v ? flip(v) : v]);
        }
        text = JSON.stringify(answer);
        changed.count++;
      }
      client.send(text);
    });
    const close = () => {
      client.close();
      node.close();
    };
    client.on("close", close);
    node.on("close", close);
    node.on("error", close);
  });
  proxies.push(server);
  return new Promise((resolve) => server.on("listening", () => resolve(changed)));
}

/** `teo-citizen prove` for //Alice through `url`, without a stored tree (asynchronously: the
 * proxy answers from this process meanwhile). */
function prove(url) {
  const args = ["prove", "--url", url, "--dev-identity", "//Alice", "--account", ALICE, "--no-tree-cache"];
  return new Promise((resolve) => {
    execFile(options.citizen, args, { encoding: "utf8", timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ ok: !err, stdout, stderr });
    });
  });
}

async function main() {
  const rpcPort = await freePort();
  await startProcess(children, "teo-node", options.node, [
    "--dev", "--base-path", join(base, "node"), "--rpc-port", String(rpcPort), "--port", String(await freePort()),
    "--no-prometheus", "--no-telemetry", "--no-mdns",
  ], /Running JSON-RPC server/);
  const upstream = `ws://127.0.0.1:${rpcPort}`;
  const key = leafKey(0, 3);

  // An honest proxy changes nothing: the proxy is not what fails below.
  const honestPort = await freePort();
  await startProxy(honestPort, upstream, key, false);
  let honest;
  for (let attempt = 0; attempt < 60; attempt++) {
    honest = await prove(`ws://127.0.0.1:${honestPort}`);
    // The node takes a few blocks to finalize one.
    if (honest.ok) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  assert.ok(honest.ok, `Alice proves through an honest proxy: ${honest.stderr}`);
  assert.match(honest.stdout, /^0x/);
  log("through an honest proxy: Alice proves");

  const lyingPort = await freePort();
  const changed = await startProxy(lyingPort, upstream, key, true);
  const lied = await prove(`ws://127.0.0.1:${lyingPort}`);
  assert.ok(changed.count > 0, "the proxy changed leaf 3 in an answer");
  assert.ok(!lied.ok, "no proof from a node that lies");
  assert.doesNotMatch(lied.stderr, /not a member/, `Alice is a member: ${lied.stderr}`);
  assert.match(lied.stderr, /do not give the chain's root/, lied.stderr);
  assert.equal(lied.stdout, "", "nothing printed to submit");
  log(`through a proxy that changes leaf 3: refused (${lied.stderr.trim().split("\n").pop()})`);
}

main().then(async () => {
  await cleanup();
  log("passed");
  process.exit(0);
}, fail);
