// Helpers shared by the zombienet js-scripts: connecting, signing and waiting for finality.
// Every wait is bounded; a script that runs out of time reports why and returns 0.

const { ApiPromise, WsProvider, Keyring } = require("@polkadot/api");
const { cryptoWaitReady } = require("@polkadot/util-crypto");

/** 12.345 TEO: well above the existential deposit (0.001 TEO). */
const TRANSFER_AMOUNT = 12_345_000_000_000n;

/** An error in words, whatever was thrown (a WebSocket error event is not an Error). */
function describe(err) {
  if (err instanceof Error) return err.stack || err.message;
  if (err && (err.message || err.type)) return `${err.type || "error"}: ${err.message || ""}`;
  return String(err);
}

/**
 * Connects to a node, retrying a few times (bounded): on a loaded two-core machine a node's
 * WebSocket may refuse a connection for a moment while the node itself is well.
 */
async function connect(wsUri, attempts = 5) {
  await cryptoWaitReady();
  let last;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const provider = new WsProvider(wsUri);
    try {
      // No custom types: the metadata describes everything.
      return await ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true });
    } catch (err) {
      last = err;
      await provider.disconnect().catch(() => {});
      console.log(`connecting to ${wsUri}: attempt ${attempt} of ${attempts} failed: ${describe(err)}`);
      await sleep(2000);
    }
  }
  throw new Error(`could not connect to ${wsUri}: ${describe(last)}`);
}

function keyring() {
  return new Keyring({ type: "sr25519", ss58Format: 42 });
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every second until it returns a truthy value or `timeoutMs` passes. */
async function waitFor(what, timeoutMs, check) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(1000);
  }
}

/**
 * Signs and submits `tx`, and resolves once its block is finalized with that block's hash, the
 * extrinsic's events, and its index. Rejects on a dispatch error or an invalid transaction.
 * `options` go to `signAndSend` (e.g. an explicit `nonce` for several transactions at once).
 */
function signAndFinalize(api, tx, signer, timeoutMs = 120_000, options = {}) {
  return followToFinality(api, (callback) => tx.signAndSend(signer, options, callback), timeoutMs);
}

/**
 * Sends `tx` as a bare extrinsic (no signer, no fee: what an anonymous veto is) with
 * `api.tx...send()`, as any polkadot.js client can, and waits until it is finalized; resolves
 * as `signAndFinalize` does, rejects with the pool's refusal ("1010: Invalid Transaction: Custom
 * error: N") or the dispatch error.
 */
function sendBareAndFinalize(api, tx, timeoutMs = 120_000) {
  return followToFinality(api, (callback) => tx.send(callback), timeoutMs);
}

/** Sends with `send(callback)` and follows the status callbacks to finality. */
function followToFinality(api, send, timeoutMs) {
  return new Promise((resolve, reject) => {
    let unsubscribe = () => {};
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`transaction not finalized within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = (fn, value) => {
      clearTimeout(timer);
      unsubscribe();
      fn(value);
    };
    send((result) => {
      const { status, dispatchError, events } = result;
      if (status.isInvalid || status.isDropped || status.isUsurped) {
        finish(reject, new Error(`transaction ${status.type}`));
      } else if (dispatchError) {
        let reason = dispatchError.toString();
        if (dispatchError.isModule) {
          const { section, name, docs } = api.registry.findMetaError(dispatchError.asModule);
          reason = `${section}.${name}: ${docs.join(" ")}`;
        }
        finish(reject, new Error(`dispatch failed: ${reason}`));
      } else if (status.isFinalized) {
        finish(resolve, { blockHash: status.asFinalized, events });
      }
    })
      .then((unsub) => {
        unsubscribe = unsub;
      })
      .catch((err) => finish(reject, err));
  });
}

/** Runs the citizen's tool (`teo-citizen`, on PATH), bounded; logs and returns its result. */
function citizen(label, args) {
  const { spawnSync } = require("child_process");
  const result = spawnSync("teo-citizen", args, { encoding: "utf8", timeout: 180_000 });
  if (result.error) throw new Error(`teo-citizen ${args[0]}: ${result.error.message}`);
  console.log(`[${label}] teo-citizen ${args.join(" ")} -> ${result.status}\n${result.stdout}${result.stderr}`);
  return result;
}

/** Whether `address` is a verified member of `group` in the current period. */
async function isVerified(api, group, address) {
  const period = await api.query.personhood.currentPeriod();
  return (await api.query.personhood.verified(period.index, group, address)).isSome;
}

/** Verifies the dev identity `seed` for `address` in the citizens' group with the citizen's
 * tool, unless it already is verified; throws if it cannot. */
async function ensureVerified(api, wsUri, seed, address, label) {
  if (await isVerified(api, 0, address)) return;
  const result = citizen(label, ["prove", "--url", wsUri, "--dev-identity", seed, "--suri", seed]);
  if (result.status !== 0 || !(await isVerified(api, 0, address))) throw new Error(`${seed} could not verify`);
}

/** Registers `agent` (a keyring pair) as `sponsor`'s agent, unless it already is one. */
async function ensureAgent(api, sponsor, agent) {
  if ((await api.call.actionBudgetApi.agent(agent.address)).isSome) return;
  await signAndFinalize(api, api.tx.actionBudget.registerAgent(agent.address), sponsor);
}

async function finalizedNumber(api) {
  const hash = await api.rpc.chain.getFinalizedHead();
  const header = await api.rpc.chain.getHeader(hash);
  return { number: header.number.toNumber(), hash: hash.toHex() };
}

async function freeBalance(api, address, atHash) {
  const at = atHash ? await api.at(atHash) : api;
  const { data } = await at.query.system.account(address);
  return data.free.toBigInt();
}

/** Runs `body(api)` against a node, always disconnecting, and maps errors to a 0 result. */
async function withApi(wsUri, label, body) {
  let api;
  try {
    api = await connect(wsUri);
    return await body(api);
  } catch (err) {
    console.error(`[${label}] ${describe(err)}`);
    return 0;
  } finally {
    if (api) await api.disconnect();
  }
}

module.exports = {
  TRANSFER_AMOUNT,
  connect,
  keyring,
  sleep,
  waitFor,
  signAndFinalize,
  sendBareAndFinalize,
  finalizedNumber,
  freeBalance,
  withApi,
  citizen,
  isVerified,
  ensureVerified,
  ensureAgent,
};
