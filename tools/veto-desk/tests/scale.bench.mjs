// Proofs at the scale of a town: end-to-end veto proving times for groups of 2^k members, as a
// citizen sees them, natively (teo-citizen) and in the browser (the veto desk in Debian's
// Chromium), on the first sync and warm. Run by scripts/bench-proving.sh, which also times
// Semaphore's own JavaScript and prints the table of docs/PERSONHOOD.md.
//
// For each size: a dev chain whose citizens' group holds 2^k members from genesis (the
// town_chain_spec example), one node with default settings; Charlie proves personhood and
// sponsors the agent Eve, who proposes a treasury spend. Then:
//  - native: `teo-citizen veto --print` for //Dave, with an empty tree cache (first sync: every
//    leaf read over JSON-RPC, the tree built, the proof made) and again (warm: the stored tree,
//    no new leaf); the wall time of the process, the dev key's regeneration included;
//  - browser: the desk opened fresh with //Bob's identity: the tree read and built in the page
//    (first sync), then the veto proved (witness and proof, in the worker); then reloaded: the
//    tree from the browser's store (warm), and the veto proved again (the node refuses this
//    second veto; its proof is what is timed).
//
//   node tests/scale.bench.mjs --node teo-node --citizen teo-citizen --town-spec town_chain_spec \
//        [--sizes 14,16,20] [--chromium /usr/bin/chromium]
// One JSON line per size on stdout; progress on stderr.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { ApiPromise, WsProvider } from "@polkadot/api";
import { Keyring } from "@polkadot/keyring";
import { stringToU8a } from "@polkadot/util";
import { base64Encode, cryptoWaitReady } from "@polkadot/util-crypto";
import { chromium } from "playwright-core";

import { freePort, startProcess, stopAll, submitTx } from "./harness.mjs";

const { values: options } = parseArgs({
  options: {
    node: { type: "string", default: "teo-node" },
    citizen: { type: "string", default: "teo-citizen" },
    "town-spec": { type: "string" },
    sizes: { type: "string", default: "14,16,20" },
    chromium: { type: "string", default: "/usr/bin/chromium" },
  },
});
const here = dirname(fileURLToPath(import.meta.url));
const TEO = 1_000_000_000_000n;
const CITIZENS = 0;
const PASSPHRASE = "correct horse battery staple";
// Generous bounds for a million members on two cores; the run stops by itself.
const STEP_MS = 20 * 60_000;
const deadline = setTimeout(() => fail(new Error("the benchmark ran over 3 hours")), 3 * 3_600_000);

const log = (text) => console.error(`[scale] ${text}`);
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
let current = { children: [], base: null, browser: null, api: null };

async function cleanup() {
  await current.browser?.close().catch(() => {});
  await current.api?.disconnect().catch(() => {});
  await stopAll(current.children);
  if (current.base) rmSync(current.base, { recursive: true, force: true });
  current = { children: [], base: null, browser: null, api: null };
}

async function fail(err) {
  console.error(`[scale] FAILED: ${err.stack ?? err}`);
  await cleanup();
  process.exit(1);
}

/** The wall time of a command, and its output; fails on a non-zero exit. */
function timed(command, args) {
  const started = performance.now();
  const run = spawnSync(command, args, { encoding: "utf8", timeout: STEP_MS, maxBuffer: 64 << 20 });
  const ms = performance.now() - started;
  assert.equal(run.status, 0, `${command} ${args.join(" ")}:\n${run.stdout}${run.stderr}`);
  return { ms, stdout: run.stdout, stderr: run.stderr };
}

async function measure(k, devSpec) {
  const members = 2 ** k;
  const base = (current.base = mkdtempSync(join(tmpdir(), `teo-scale-${k}-`)));
  const spec = join(base, "town.json");
  let started = performance.now();
  // Straight into the file: at a million members the spec is about 400 MB.
  const specFile = openSync(spec, "w");
  try {
    execFileSync(options["town-spec"], [devSpec, String(members)], { stdio: ["ignore", specFile, "inherit"] });
  } finally {
    closeSync(specFile);
  }
  const specMs = performance.now() - started;
  log(`2^${k}: chain spec built in ${seconds(specMs)}`);

  const [rpcPort, p2pPort, deskPort] = [await freePort(), await freePort(), await freePort()];
  started = performance.now();
  await startProcess(current.children, "teo-node", options.node, [
    "--chain", spec, "--alice", "--validator", "--force-authoring", "--unsafe-force-node-key-generation", "--base-path", join(base, "node"),
    "--rpc-port", String(rpcPort), "--port", String(p2pPort), "--no-prometheus", "--no-telemetry", "--no-mdns",
  ], /Running JSON-RPC server/, { timeoutMs: STEP_MS });
  const nodeMs = performance.now() - started;
  const rpc = `ws://127.0.0.1:${rpcPort}`;
  await startProcess(current.children, "the desk's server", "node", [join(here, "..", "serve.mjs"), "--port", String(deskPort), "--rpc", rpc], /veto desk: http/);
  log(`2^${k}: node ready in ${seconds(nodeMs)}`);

  const api = (current.api = await ApiPromise.create({ provider: new WsProvider(rpc), noInitWarn: true }));
  const submit = (tx, signer) => submitTx(api, tx, signer);
  const ring = new Keyring({ type: "sr25519" });
  const [alice, charlie, eve] = ["//Alice", "//Charlie", "//Eve"].map((s) => ring.addFromUri(s));
  const [group] = (await api.query.personhood.groups.entries()).filter(([key]) => key.args[0].toNumber() === CITIZENS);
  assert.equal(group[1].unwrap().size_.toNumber(), members, "the group's size at genesis");

  // Vetoes that do not kill (ten needed), and an hour to make them in.
  const parameters = (await api.call.commitGateApi.parameters()).unwrap();
  const sudid = await submit(api.tx.sudo.sudo(api.tx.commitGate.setParameters({ ...parameters.toJSON(), timelock: 600, constitutionalTimelock: 600, vetoThreshold: 10 })), alice);
  assert.ok(sudid.events.find((e) => e.section === "sudo" && e.method === "Sudid")?.data.sudoResult.isOk, "commitGate.setParameters");
  const caches = join(base, "trees");
  timed(options.citizen, ["prove", "--url", rpc, "--dev-identity", "//Charlie", "--suri", "//Charlie", "--tree-cache", join(caches, "charlie")]);
  await submit(api.tx.actionBudget.registerAgent(eve.address), charlie);
  const { events } = await submit(api.tx.commitGate.submit(CITIZENS, api.tx.treasury.spend(null, 5_000n * TEO, eve.address, null), "Pay Eve 5000 TEO"), eve);
  const id = events.find((e) => e.section === "commitGate" && e.method === "Submitted").data.id.toNumber();
  // The citizen's tools read at the finalized head.
  for (let tries = 0; ; tries++) {
    const final = await api.at(await api.rpc.chain.getFinalizedHead());
    if ((await final.query.commitGate.proposals(id)).isSome) break;
    assert.ok(tries < 120, `proposal #${id} not finalized within two minutes`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  log(`2^${k}: proposal #${id} pending`);

  // Native.
  const veto = ["veto", "--url", rpc, "--proposal", String(id), "--dev-identity", "//Dave", "--print", "--timings", "--tree-cache", join(caches, "dave")];
  const nativeFirst = timed(options.citizen, veto);
  assert.match(nativeFirst.stderr, /tree read in full/);
  const nativeWarm = timed(options.citizen, veto);
  assert.match(nativeWarm.stderr, /tree from the stored copy, 0 new members/);
  log(`2^${k}: native first ${seconds(nativeFirst.ms)}, warm ${seconds(nativeWarm.ms)}; the warm run's steps:`);
  for (const step of nativeWarm.stderr.split("\n").filter((line) => line.startsWith("["))) log(`  ${step}`);

  // The browser.
  const browser = (current.browser = await chromium.launch({ executablePath: options.chromium, args: ["--no-sandbox"] }));
  const page = await browser.newPage();
  page.on("dialog", (dialog) => dialog.accept());
  await page.goto(`http://127.0.0.1:${deskPort}/`);
  await page.waitForSelector(".key.ready", { timeout: STEP_MS });
  await page.click("summary");
  await page.fill("[data-testid=import-text]", base64Encode(stringToU8a("//Bob")));
  await page.fill("[data-testid=passphrase]", PASSPHRASE);
  await page.click("[data-testid=import]");
  const sync = async (source) => {
    const line = page.locator(`[data-testid=group-sync][data-id="${CITIZENS}"][data-source${source}]`);
    await line.waitFor({ timeout: STEP_MS });
    return Number(await line.getAttribute("data-ms"));
  };
  const browserSync = await sync('="read"');
  const card = page.locator(`[data-testid=proposal][data-id="${id}"]`);
  let attempt = 0;
  const prove = async () => {
    attempt++;
    await card.locator("[data-testid=veto]:not([disabled])").click({ timeout: STEP_MS });
    await page.waitForFunction(({ selector, attempt }) => {
      const status = document.querySelector(selector);
      return Number(status?.dataset.attempt) === attempt && ["done", "refused"].includes(status.dataset.phase);
    }, { selector: `[data-testid=my-veto][data-id="${id}"]`, attempt }, { timeout: STEP_MS });
    return Number(await page.locator(`[data-testid=my-veto][data-id="${id}"]`).getAttribute("data-prove-ms"));
  };
  const browserProof = await prove();
  log(`2^${k}: browser first sync ${seconds(browserSync)}, proof ${seconds(browserProof)}`);
  await page.reload();
  await page.fill("[data-testid=passphrase]", PASSPHRASE);
  await page.click("[data-testid=unlock]");
  const browserWarmSync = await sync('^="stored"');
  attempt = 0;
  const browserWarmProof = await prove();
  log(`2^${k}: browser warm sync ${seconds(browserWarmSync)}, proof ${seconds(browserWarmProof)}`);

  const result = {
    members,
    specMs: Math.round(specMs),
    nodeStartMs: Math.round(nodeMs),
    native: { firstMs: Math.round(nativeFirst.ms), warmMs: Math.round(nativeWarm.ms) },
    browser: { firstSyncMs: browserSync, firstProofMs: browserProof, warmSyncMs: browserWarmSync, warmProofMs: browserWarmProof },
  };
  await cleanup();
  return result;
}

async function main() {
  await cryptoWaitReady();
  const work = mkdtempSync(join(tmpdir(), "teo-scale-"));
  try {
    const devSpec = join(work, "dev.json");
    writeFileSync(devSpec, execFileSync(options.node, ["export-chain-spec", "--chain", "dev", "--raw"], { maxBuffer: 256 << 20, stdio: ["ignore", "pipe", "ignore"] }));
    for (const k of options.sizes.split(",").map(Number)) {
      console.log(JSON.stringify(await measure(k, devSpec)));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// Stopped from outside (the test command's timeout): the node, Chromium and the folders go too.
// Once, and never hanging: whatever cleanup has not done in 30 s is left to the signal's sender.
let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), 30_000).unref();
    fail(new Error(`stopped by ${signal}`));
  });
}

main().then(() => {
  clearTimeout(deadline);
  process.exit(0);
}, fail);
