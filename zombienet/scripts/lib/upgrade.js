// A runtime upgrade through the gate, as a production network makes one (docs/OPERATOR.md,
// "Upgrading the runtime"): an agent proposes `constitution.authorizeUpgrade(hash)` for the
// citizens, nobody vetoes, the chain commits it after the constitutional timelock, and anyone
// applies the code with `system.applyAuthorizedUpgrade`. A second proposal, submitted between
// the authorization and the upgrade, is still pending when the new runtime takes over and is
// committed by it.
//
// The new code is the upgrade rehearsal's runtime (feature `upgrade-rehearsal`: this runtime one
// `spec_version` later), which the runtime's build script writes beside the real one; the test
// command passes its path in TEO_UPGRADE_RUNTIME.

const fs = require("fs");
const { blake2AsHex } = require("@polkadot/util-crypto");
const { u8aToHex } = require("@polkadot/util");
const { connect, signAndFinalize, waitFor, finalizedNumber } = require("./teo");

const CITIZENS = 0;

function gateEvent(events, method) {
  return events.map(({ event }) => event).find((e) => e.section === "commitGate" && e.method === method);
}

async function submit(api, agent, call, summary, options = {}) {
  const { events } = await signAndFinalize(api, api.tx.commitGate.submit(CITIZENS, call, summary), agent, 120_000, options);
  const submitted = gateEvent(events, "Submitted");
  if (!submitted) throw new Error(`no Submitted event for "${summary}"`);
  return { id: submitted.data.id.toNumber(), unlockAt: submitted.data.unlockAt.toNumber() };
}

/** Submits `proposals` ([call, summary] pairs) from `agent` at once, with consecutive nonces,
 * so that they land in the same block or the next (one epoch's admissions). */
async function submitTogether(api, agent, proposals) {
  const nonce = (await api.rpc.system.accountNextIndex(agent.address)).toNumber();
  return Promise.all(proposals.map(([call, summary], i) => submit(api, agent, call, summary, { nonce: nonce + i })));
}

/** Waits until `agent`'s sponsor has `count` admissions left in the citizens' group. */
async function admissions(api, agent, count) {
  await waitFor(`${count} admissions for ${agent.address}`, 120_000, async () =>
    (await api.call.actionBudgetApi.admissionsLeftFor(agent.address, CITIZENS)).toNumber() >= count);
}

/** The `Committed` event of proposal `id` in block `number`, or undefined. */
async function committedAt(api, number, id) {
  const events = await (await api.at(await api.rpc.chain.getBlockHash(number))).query.system.events();
  return events.map(({ event }) => event)
    .find((e) => e.section === "commitGate" && e.method === "Committed" && e.data.id.toNumber() === id);
}

/**
 * Upgrades the runtime of the chain behind `api` (connected to `wsUri`) through the gate.
 * `proposer` and `survivor` are agents (of verified citizens) with admissions left; the
 * survivor proposes `survivorCall` (a remark unless given), which must be committed by the new
 * runtime; the proposer also proposes the `alongside` [call, summary] pairs together with the
 * authorization (their ids are returned as `alongside`);
 * `applier` is any funded account. Returns the spec versions before and after, the block of
 * the upgrade, and a new API connection for the new runtime (the caller disconnects it): an
 * ApiPromise of @polkadot/api 16.5.6 that lives through an upgrade reloads the metadata as V14
 * into the registry it built from V15, and then misdecodes storage (`system.events` fails with
 * "Unable to create Enum via index ..."), so the old connection is used for nothing after it.
 * Throws with the reason when a step does not behave.
 */
async function upgradeThroughTheGate(api, wsUri, {
  proposer, survivor, applier, label = "upgrade",
  survivorCall = api.tx.system.remark("outlives its runtime"),
  survivorSummary = "A remark admitted by one runtime and committed by the next",
  survivorIsConstitutional = false,
  alongside = [],
}) {
  const path = process.env.TEO_UPGRADE_RUNTIME;
  if (!path || !fs.existsSync(path)) throw new Error(`TEO_UPGRADE_RUNTIME (${path}) names no runtime`);
  const code = fs.readFileSync(path);
  const codeHash = blake2AsHex(code, 256);
  const before = (await api.rpc.state.getRuntimeVersion()).specVersion.toNumber();

  // 1. The proposal, constitutional: it waits the longer timelock.
  await admissions(api, proposer, 1 + alongside.length);
  const [authorize, ...others] = await submitTogether(api, proposer, [
    [api.tx.constitution.authorizeUpgrade(codeHash), `Upgrade the runtime to ${codeHash}`],
    ...alongside,
  ]);
  console.log(`[${label}] proposal ${authorize.id}: authorize ${codeHash} (${code.length} bytes, spec ${before}), unlocks at ${authorize.unlockAt}`);

  // 2. A proposal that must outlive the runtime that admits it: submitted so that it unlocks
  //    about ten blocks after the authorization (the upgrade is applied within a few blocks of
  //    it), once the sponsor has an admission left in the epoch.
  const parameters = (await api.call.commitGateApi.parameters()).unwrap();
  const survivorTimelock = (survivorIsConstitutional ? parameters.constitutionalTimelock : parameters.timelock).toNumber();
  await waitFor("the survivor's moment", 180_000, async () =>
    (await api.rpc.chain.getHeader()).number.toNumber() + survivorTimelock >= authorize.unlockAt + 10);
  await admissions(api, survivor, 1);
  const pending = await submit(api, survivor, survivorCall, survivorSummary);
  console.log(`[${label}] proposal ${pending.id}: pending across the upgrade, unlocks at ${pending.unlockAt}`);

  // 3. The chain commits the authorization: it is in the finalized state.
  const finalizedState = async () => api.at((await finalizedNumber(api)).hash);
  await waitFor(`the commit of proposal ${authorize.id}`, 180_000, async () =>
    (await (await finalizedState()).query.system.authorizedUpgrade()).isSome);
  const authorized = (await (await finalizedState()).query.system.authorizedUpgrade()).unwrap();
  if (authorized.codeHash.toHex() !== codeHash) throw new Error(`authorized ${authorized.codeHash.toHex()}, not ${codeHash}`);
  const committed = await committedAt(api, authorize.unlockAt, authorize.id);
  if (!committed || !committed.data.result.isOk) throw new Error(`proposal ${authorize.id} was not committed at ${authorize.unlockAt}`);

  // Anyone applies the authorized code (as hex: polkadot.js reads raw bytes as SCALE-encoded).
  const { blockHash } = await signAndFinalize(api, api.tx.system.applyAuthorizedUpgrade(u8aToHex(code)), applier, 180_000);

  // 4. The new runtime runs, with the old one's pending proposal in its state. From here on, a
  //    new connection (see above).
  const fresh = await connect(wsUri);
  try {
    return { ...(await checkTheNewRuntime(fresh, { before, blockHash, pending, label })), alongside: others, pending };
  } catch (err) {
    await fresh.disconnect();
    throw err;
  }
}

async function checkTheNewRuntime(api, { before, blockHash, pending, label }) {
  const header = await api.rpc.chain.getHeader(blockHash);
  const upgradedAt = header.number.toNumber();
  const specAt = async (hash) => (await api.rpc.state.getRuntimeVersion(hash)).specVersion.toNumber();
  const [parentSpec, blockSpec] = [await specAt(header.parentHash), await specAt(blockHash)];
  const events = await (await api.at(blockHash)).query.system.events();
  const codeUpdated = events.find(({ event }) => event.section === "system" && event.method === "CodeUpdated");
  if (!codeUpdated || parentSpec !== before || blockSpec !== before + 1) {
    throw new Error(`the code was not updated in block ${upgradedAt}: spec ${parentSpec} before it, ${blockSpec} after`);
  }

  const stillPending = await (await api.at(blockHash)).call.commitGateApi.proposal(pending.id);
  if (stillPending.isNone || pending.unlockAt <= upgradedAt) {
    throw new Error(`proposal ${pending.id} (unlocks at ${pending.unlockAt}) was not pending at the upgrade in block ${upgradedAt}`);
  }
  const after = await waitFor("the new runtime's version", 60_000, async () => {
    const spec = (await api.rpc.state.getRuntimeVersion()).specVersion.toNumber();
    return spec !== before && spec;
  });
  if (after !== before + 1) throw new Error(`the runtime went from spec ${before} to ${after}, not ${before + 1}`);
  console.log(`[${label}] runtime upgraded in block ${upgradedAt}: spec ${before} -> ${after}; proposal ${pending.id} still pending`);

  // 5. Blocks keep coming and finalizing, and the new runtime commits the old one's proposal.
  await waitFor(`the commit of proposal ${pending.id} by the new runtime`, 180_000, async () =>
    (await finalizedNumber(api)).number >= pending.unlockAt);
  const survived = await committedAt(api, pending.unlockAt, pending.id);
  if (!survived || !survived.data.result.isOk) throw new Error(`proposal ${pending.id} was not committed at ${pending.unlockAt}`);
  console.log(`[${label}] proposal ${pending.id} committed by spec ${after} at block ${pending.unlockAt}, finalized`);
  return { before, after, upgradedAt, api };
}

module.exports = { upgradeThroughTheGate, submit, committedAt, admissions };
