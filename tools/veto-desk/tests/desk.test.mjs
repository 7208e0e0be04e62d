// The veto desk in a real browser (Debian's Chromium, driven by Playwright) against a real dev
// chain, as a citizen uses it:
//  1. the citizen opens the desk and creates an identity (kept encrypted in the browser);
//  2. the registrar (Alice) adds its commitment to the citizens' group: the desk finds the
//     membership in the page;
//  3. an agent (Eve, Charlie's) submits a treasury spend: the desk shows it, decoded through
//     the metadata, with a notice; the markup the agent put in its summary shows as text;
//  4. the citizen vetoes with one click: proved in the page, sent with no account; counted 1 of 2;
//  5. a second veto with the same identity on the same proposal is refused by the node
//     (NullifierAlreadyUsed), and nothing changes;
//  6. the citizen exports the identity (the passphrase asked again), imports another one (//Bob's
//     dev identity, a Semaphore export) and vetoes: the proposal is killed on chain. The vetoes
//     were bare extrinsics, and neither identity's commitment appears in any extrinsic or event
//     from the first veto on; no message the page sent the node carried either commitment or
//     private key, and the page raised no error;
//  7. reloaded, the desk takes the group's tree from the browser's copy and the identity from
//     its vault;
//  8. a damaged copy (its leaves zeroed, its root whole) is read again from the node before the
//     desk would tell the citizen they belong to no group.
// Screenshots of each step go to --screenshots DIR (docs/CITIZEN.md shows them).
//
//   node tests/desk.test.mjs --node teo-node --citizen teo-citizen [--screenshots DIR]
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { ApiPromise, WsProvider } from "@polkadot/api";
import { Keyring } from "@polkadot/keyring";
import { stringToU8a, u8aToHex } from "@polkadot/util";
import { base64Decode, base64Encode, cryptoWaitReady } from "@polkadot/util-crypto";
import { chromium } from "playwright-core";

import { identityCommitment, initSync } from "../dist/pkg/teo_browser_prover.js";
import { freePort, startProcess, stopAll, submitTx } from "./harness.mjs";

const { values: options } = parseArgs({
  options: {
    node: { type: "string", default: "teo-node" },
    citizen: { type: "string", default: "teo-citizen" },
    chromium: { type: "string", default: "/usr/bin/chromium" },
    screenshots: { type: "string" },
  },
});
const here = dirname(fileURLToPath(import.meta.url));
const TEO = 1_000_000_000_000n;
const CITIZENS = 0;
const PASSPHRASE = "correct horse battery staple";

// Bounded: the whole test stops by itself.
const deadline = setTimeout(() => fail(new Error("the browser test ran over 10 minutes")), 600_000);
const children = [];
const start = (...args) => startProcess(children, ...args);
const submit = (tx, signer) => submitTx(api, tx, signer);
let base;
let browser;
let page;
let api;

function log(step, text) {
  console.log(`[desk] ${step}: ${text}`);
}

async function fail(err) {
  console.error(`[desk] FAILED: ${err.stack ?? err}`);
  // What the citizen saw when it failed.
  const seen = await page?.locator("body").innerText({ timeout: 5_000 }).catch(() => null);
  if (seen) console.error(`[desk] the page showed:\n${seen}`);
  if (page) await screenshot(page, "failure").catch(() => {});
  await cleanup();
  process.exit(1);
}

async function cleanup() {
  clearTimeout(deadline);
  await browser?.close().catch(() => {});
  await api?.disconnect().catch(() => {});
  await stopAll(children);
  if (base) rmSync(base, { recursive: true, force: true });
}

async function screenshot(page, name) {
  if (!options.screenshots) return;
  mkdirSync(options.screenshots, { recursive: true });
  await page.screenshot({ path: join(options.screenshots, `${name}.png`), fullPage: true });
}

async function main() {
  base = mkdtempSync(join(tmpdir(), "teo-desk-"));
  const [rpcPort, p2pPort, deskPort] = [await freePort(), await freePort(), await freePort()];

  await start("teo-node", options.node, [
    "--dev", "--base-path", join(base, "node"), "--rpc-port", String(rpcPort), "--port", String(p2pPort),
    "--no-prometheus", "--no-telemetry", "--no-mdns",
  ], /Running JSON-RPC server/);
  const rpc = `ws://127.0.0.1:${rpcPort}`;
  await start("the desk's server", "node", [join(here, "..", "serve.mjs"), "--port", String(deskPort), "--rpc", rpc], /veto desk: http/);
  log("setup", `dev chain at ${rpc}, desk at http://127.0.0.1:${deskPort}/`);

  await cryptoWaitReady();
  api = await ApiPromise.create({ provider: new WsProvider(rpc), noInitWarn: true });
  const ring = new Keyring({ type: "sr25519" });
  const [alice, charlie, eve] = ["//Alice", "//Charlie", "//Eve"].map((s) => ring.addFromUri(s));

  // Two vetoes kill (so that a refused second veto is seen on a live proposal), and a timelock
  // long enough for three proofs on a loaded machine.
  const parameters = (await api.call.commitGateApi.parameters()).unwrap();
  const sudid = await submit(api.tx.sudo.sudo(api.tx.commitGate.setParameters({ ...parameters.toJSON(), timelock: 40, constitutionalTimelock: 40, vetoThreshold: 2 })), alice);
  const outcome = sudid.events.find((e) => e.section === "sudo" && e.method === "Sudid");
  assert.ok(outcome?.data.sudoResult.isOk, `commitGate.setParameters: ${outcome?.data.sudoResult.toString()}`);
  // Charlie, a verified citizen, sponsors the agent Eve.
  const proved = spawnSync(options.citizen, ["prove", "--url", rpc, "--dev-identity", "//Charlie", "--suri", "//Charlie"], { encoding: "utf8", timeout: 180_000 });
  assert.equal(proved.status, 0, `teo-citizen prove: ${proved.stdout}${proved.stderr}`);
  await submit(api.tx.actionBudget.registerAgent(eve.address), charlie);
  log("setup", "veto threshold 2, timelock 40 blocks; Charlie verified, Eve his agent");

  browser = await chromium.launch({ executablePath: options.chromium, args: ["--no-sandbox"] });
  page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  // Every error the page raises fails the test, but the node's refusal of the second veto,
  // which @polkadot/api logs as it rejects.
  const pageErrors = [];
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("console", (message) => {
    if (message.type() !== "error" || /1010: Invalid Transaction: Custom error/.test(message.text())) return;
    pageErrors.push(message.text());
  });
  // What the page tells the node: every WebSocket message it sends.
  const sent = [];
  page.on("websocket", (socket) => socket.on("framesent", ({ payload }) => sent.push(String(payload))));
  page.on("dialog", (dialog) => dialog.accept());

  // 1. A new identity.
  await page.goto(`http://127.0.0.1:${deskPort}/`);
  await page.waitForSelector(".key.ready", { timeout: 120_000 });
  await page.fill("[data-testid=passphrase]", PASSPHRASE);
  await page.click("[data-testid=create]");
  await page.waitForSelector("[data-testid=commitment], [data-testid=identity-error]", { timeout: 60_000 });
  assert.equal(await page.locator("[data-testid=identity-error]").count(), 0, await page.locator("[data-testid=identity-error]").textContent().catch(() => ""));
  const commitment = (await page.textContent("[data-testid=commitment]")).trim();
  assert.match(commitment, /^0x[0-9a-f]{64}$/);
  await page.waitForSelector("text=Not a member of any group yet.");
  await screenshot(page, "1-identity");
  log("1", `created an identity in the browser; commitment ${commitment}`);

  // 2. The registrar adds it; the desk finds the membership once the block is finalized.
  await submit(api.tx.personhood.addMembers(CITIZENS, [commitment]), alice);
  await page.waitForSelector("text=Member of citizens (group 0).", { timeout: 120_000 });
  log("2", "the registrar added it; the desk sees the membership");

  // 3. An agent's proposal, shown decoded, with a notice.
  // An agent writes the summary: markup in it must show as text, never run.
  const summary = `Pay Eve 5000 TEO for consulting <img src=x onerror="document.title='pwned'">`;
  const { events } = await submit(api.tx.commitGate.submit(CITIZENS, api.tx.treasury.spend(null, 5_000n * TEO, eve.address, null), summary), eve);
  const submitted = events.find((e) => e.section === "commitGate" && e.method === "Submitted");
  const id = submitted.data.id.toNumber();
  const card = page.locator(`[data-testid=proposal][data-id="${id}"]`);
  await card.waitFor({ timeout: 60_000 });
  assert.ok((await card.locator("h3").textContent()).includes(summary), "the summary is shown as written");
  assert.equal(await card.locator("h3 img").count(), 0, "the summary's markup became an element");
  assert.equal(await page.title(), "TEO veto desk", "the summary's script ran");
  assert.match(await card.locator("[data-testid=call]").textContent(), /treasury\.spend/);
  assert.match(await card.locator("[data-testid=call]").textContent(), /"amount": "5,000,000,000,000,000"/);
  assert.equal((await card.locator("[data-testid=tally]").textContent()).trim(), "0 of 2");
  assert.match(await card.locator("[data-testid=time-left]").textContent(), /min|s \(block/);
  assert.ok((await page.textContent("[data-testid=notices]")).includes(`New proposal #${id}: ${summary}`), "no notice of the new proposal");
  await screenshot(page, "2-proposal");
  log("3", `proposal #${id} shown decoded: ${(await card.locator("[data-testid=call] code").textContent())}`);

  // 4. The anonymous veto, from the page.
  // The desk keeps the citizen's vetoes listed after their proposals leave the pending list.
  const status = page.locator(`[data-testid=my-veto][data-id="${id}"]`);
  let attempts = 0;
  const veto = async () => {
    attempts++;
    await card.locator("[data-testid=veto]").click();
    await page.waitForFunction(({ selector, attempt }) => {
      const status = document.querySelector(selector);
      return Number(status?.dataset.attempt) === attempt && ["done", "refused"].includes(status.dataset.phase);
    }, { selector: `[data-testid=my-veto][data-id="${id}"]`, attempt: attempts }, { timeout: 180_000 });
    const [phase, error, text, ms] = await Promise.all(["data-phase", "data-error", null, "data-prove-ms"].map((a) => (a ? status.getAttribute(a) : status.textContent())));
    return { phase, error, text: `${text} (proved in the browser in ${ms} ms)` };
  };
  const firstBlock = (await api.rpc.chain.getHeader()).number.toNumber();
  const first = await veto();
  assert.equal(first.phase, "done", first.text);
  assert.match(first.text, /counted: 1 of 2/);
  await card.locator("[data-testid=vetoed]").waitFor({ timeout: 60_000 });
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.trim() === "1 of 2",
    `[data-testid=proposal][data-id="${id}"] [data-testid=tally]`, { timeout: 60_000 });
  await screenshot(page, "3-vetoed");
  log("4", first.text);

  // 5. The same identity again: a fresh proof, the same nullifier; the node refuses it.
  const second = await veto();
  assert.equal(second.phase, "refused", second.text);
  assert.equal(second.error, "NullifierAlreadyUsed", second.text);
  assert.equal((await api.call.commitGateApi.proposal(id)).unwrap().vetoes.toNumber(), 1, "the refused veto changed the tally");
  await screenshot(page, "4-refused");
  log("5", second.text);

  // 6. The export asks for the passphrase again; then another member's identity, imported from
  // a Semaphore export, and the second veto kills.
  await page.fill("[data-testid=export-passphrase]", "not the passphrase");
  await page.click("[data-testid=export-button]");
  assert.equal((await page.textContent("[data-testid=identity-error]", { timeout: 60_000 })).trim(), "wrong passphrase");
  await page.fill("[data-testid=export-passphrase]", PASSPHRASE);
  await page.click("[data-testid=export-button]");
  const exported = (await page.textContent("[data-testid=export]", { timeout: 60_000 })).trim();
  initSync({ module: readFileSync(join(here, "..", "dist", "pkg", "teo_browser_prover_bg.wasm")) });
  assert.equal(u8aToHex(identityCommitment(base64Decode(exported))), commitment, "the export is another identity");
  await page.getByRole("button", { name: "Lock", exact: true }).click();
  await page.click("summary");
  await page.fill("[data-testid=import-text]", base64Encode(stringToU8a("//Bob")));
  await page.fill("[data-testid=passphrase]", PASSPHRASE);
  await page.click("[data-testid=import]");
  await page.waitForSelector("text=Member of citizens (group 0).", { timeout: 60_000 });
  await card.locator("[data-testid=veto]:not([disabled])").waitFor({ timeout: 60_000 });
  const third = await veto();
  assert.equal(third.phase, "done", third.text);
  assert.match(third.text, /killed proposal/);
  assert.ok((await api.call.commitGateApi.proposal(id)).isNone, "the vetoed proposal is still pending");
  await page.locator(`[data-testid=outcomes] li[data-kind=Killed][data-id="${id}"]`).waitFor({ timeout: 60_000 });
  await screenshot(page, "5-killed");
  log("6", third.text);

  // 7. The next visit takes the group's tree from this browser's copy (IndexedDB), and the
  // identity from its vault.
  await page.reload();
  await page.waitForSelector('[data-testid=group-sync][data-id="0"][data-source^="stored"]', { timeout: 60_000 });
  await page.fill("[data-testid=passphrase]", PASSPHRASE);
  await page.click("[data-testid=unlock]");
  await page.waitForSelector("text=Member of citizens (group 0).", { timeout: 60_000 });
  log("7", `after a reload: ${await page.textContent('[data-testid=group-sync][data-id="0"]')}`);

  // 8. A damaged copy (every stored leaf zeroed, the root left whole) is caught: the identity is
  // in no group of the copy, so the desk reads the group again from the node before it says so.
  await page.evaluate(async () => {
    const done = (request) => new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const db = await done(indexedDB.open("teo-veto-desk", 1));
    const trees = db.transaction("trees", "readwrite").objectStore("trees");
    for (const key of await done(trees.getAllKeys())) {
      const tree = await done(trees.get(key));
      tree.bytes.fill(0, 0, tree.size * 32);
      await done(trees.put(tree, key));
    }
    db.close();
  });
  await page.reload();
  await page.fill("[data-testid=passphrase]", PASSPHRASE);
  await page.click("[data-testid=unlock]");
  await page.waitForSelector('[data-testid=group-sync][data-id="0"][data-source="read"]', { timeout: 60_000 });
  await page.waitForSelector("text=Member of citizens (group 0).", { timeout: 60_000 });
  log("8", `a damaged copy, read again: ${await page.textContent('[data-testid=group-sync][data-id="0"]')}`);

  // On chain: the vetoes are bare extrinsics, and from the first veto on no extrinsic or event
  // carries either identity's commitment (the chain saw the first one only when it was added).
  const bobCommitment = u8aToHex(identityCommitment(stringToU8a("//Bob")));
  const secrets = [commitment, bobCommitment].map((c) => c.slice(2));
  const lastBlock = (await api.rpc.chain.getHeader()).number.toNumber();
  let anonymous = 0;
  let killed = false;
  for (let n = firstBlock; n <= lastBlock; n++) {
    const hash = await api.rpc.chain.getBlockHash(n);
    const [block, blockEvents] = await Promise.all([api.rpc.chain.getBlock(hash), (await api.at(hash)).query.system.events()]);
    for (const extrinsic of block.block.extrinsics) {
      const hex = extrinsic.toHex();
      assert.ok(!secrets.some((secret) => hex.includes(secret)), `an extrinsic of block ${n} carries a commitment`);
      if (extrinsic.method.section === "commitGate" && extrinsic.method.method === "vetoAnonymously") {
        assert.ok(!extrinsic.isSigned, `a veto in block ${n} is signed`);
      }
    }
    for (const { event } of blockEvents) {
      const json = JSON.stringify(event.toJSON()).toLowerCase();
      assert.ok(!secrets.some((secret) => json.includes(secret)), `the event ${event.section}.${event.method} of block ${n} carries a commitment`);
      if (event.section === "commitGate" && event.method === "VetoedAnonymously") anonymous++;
      if (event.section === "commitGate" && event.method === "Killed" && event.data.id.toNumber() === id) killed = true;
    }
  }
  assert.equal(anonymous, 2, "two anonymous vetoes counted");
  assert.ok(killed, "no Killed event for the proposal");
  log("chain", `blocks ${firstBlock}..${lastBlock}: two bare vetoes, the proposal killed, neither commitment on chain`);

  // The node heard nothing that identifies the citizen: no commitment, no private key.
  const privateKeys = [exported, u8aToHex(base64Decode(exported)).slice(2), base64Encode(stringToU8a("//Bob")), u8aToHex(stringToU8a("//Bob")).slice(2)];
  assert.ok(sent.length > 0, "the page's WebSocket messages were not seen");
  for (const message of sent) {
    const lower = message.toLowerCase();
    assert.ok(!secrets.some((secret) => lower.includes(secret)), `the page sent a commitment to the node: ${message.slice(0, 200)}`);
    assert.ok(!privateKeys.some((key) => message.includes(key) || lower.includes(key.toLowerCase())), `the page sent a private key to the node`);
  }
  assert.deepEqual(pageErrors, [], "the page raised errors");
  log("privacy", `${sent.length} messages from the page to the node: no commitment, no private key; no page error`);
}

main().then(async () => {
  await cleanup();
  console.log("[desk] passed");
  process.exit(0);
}, fail);
