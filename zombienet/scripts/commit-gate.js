// Rule B end to end, through @polkadot/api and the CommitGateApi runtime API:
//  1. Charlie sponsors the agent Eve, Bob sponsors the agent Ferdie (all verified citizens;
//     Alice vetoes). Not Alice: her agent Dave was punished in the action-budget script, and a
//     penalty binds every agent its person registers until it ends.
//  2. Ferdie submits a treasury spend to Bob, then Eve one to herself. A reviewer reads Eve's
//     through the runtime API: the summary and the call, decoded with the metadata alone. Alice
//     vetoes it anonymously: `teo-citizen veto` proves her membership for this proposal, and the
//     veto goes as a bare extrinsic from @polkadot/api (`send()`, no signer, no fee). Sent
//     against Ferdie's proposal instead, the pool refuses it (InvalidVetoProof). The proposal is
//     gone, Eve's deposit is slashed into the treasury, her allowance for the next epoch is
//     lower, and no event names Alice.
//  3. Nobody vetoes Ferdie's spend; when the timelock ends the chain commits it by itself: the
//     commit chain advances, and the approved spend pays Bob.
//  4. The human-bandwidth cap, priced and shared: Ferdie fills his sponsor's share of the
//     citizens' admissions for the epoch, each at a higher price than the last; one more
//     submission is refused by the node before it reaches a block (PersonShareTaken).
// Returns 1 when every step behaves; 0 with the reason otherwise.

const { u8aToString, u8aConcat, stringToU8a } = require("@polkadot/util");
const { keyring, signAndFinalize, sendBareAndFinalize, citizen, waitFor, withApi, finalizedNumber, freeBalance,
  ensureVerified, ensureAgent } = require("./lib/teo");

const CITIZENS = 0;
const TEO = 1_000_000_000_000n;

/** The treasury's account: "modl" ++ pallet id, zero-padded to 32 bytes. */
function treasuryAccount(api) {
  const raw = u8aConcat(stringToU8a("modl"), api.consts.treasury.palletId.toU8a(), new Uint8Array(32));
  return api.registry.createType("AccountId", raw.subarray(0, 32)).toString();
}

function gateEvent(events, method) {
  return events.map(({ event }) => event).find((e) => e.section === "commitGate" && e.method === method);
}

async function submit(api, agent, call, summary) {
  const { events } = await signAndFinalize(api, api.tx.commitGate.submit(CITIZENS, call, summary), agent);
  const submitted = gateEvent(events, "Submitted");
  if (!submitted) throw new Error("no Submitted event");
  return { id: submitted.data.id.toNumber(), unlockAt: submitted.data.unlockAt.toNumber() };
}

async function nextAllowance(api, address) {
  return (await api.call.actionBudgetApi.budget(address)).unwrap().nextAllowance.toBigInt();
}

async function run(nodeName, networkInfo) {
  const wsUri = networkInfo.nodesByName[nodeName].wsUri;
  return withApi(wsUri, "gate", async (api) => {
    const ring = keyring();
    const [alice, bob, charlie, eve, ferdie] =
      ["//Alice", "//Bob", "//Charlie", "//Eve", "//Ferdie"].map((s) => ring.addFromUri(s));
    const treasury = treasuryAccount(api);
    const parameters = (await api.call.commitGateApi.parameters()).unwrap();
    const deposit = parameters.proposalDeposit.toBigInt();
    console.log(`[gate] timelock ${parameters.timelock} blocks, veto threshold ${parameters.vetoThreshold}, deposit ${deposit}`);

    // 1. Citizens and their agents.
    await ensureVerified(api, wsUri, "//Alice", alice.address, "gate");
    await ensureVerified(api, wsUri, "//Charlie", charlie.address, "gate");
    await ensureVerified(api, wsUri, "//Bob", bob.address, "gate");
    await ensureAgent(api, charlie, eve);
    await ensureAgent(api, bob, ferdie);

    // 2. Two proposals; one read through the runtime API, then vetoed anonymously.
    const [rootBefore, countBefore] = await api.call.commitGateApi.commitRoot();
    const amount = 1_000n * TEO;
    const spendToBob = api.tx.treasury.spend(null, amount, bob.address, null);
    const passed = await submit(api, ferdie, spendToBob, "Town budget: 1000 TEO to Bob for the benches");
    const spendToEve = api.tx.treasury.spend(null, 5_000n * TEO, eve.address, null);
    const vetoed = await submit(api, eve, spendToEve, "Pay Eve 5000 TEO for consulting");
    const pending = (await api.call.commitGateApi.pending(CITIZENS)).find((p) => p.id.toNumber() === vetoed.id);
    if (!pending) throw new Error("the submitted proposal is not pending");
    const decoded = api.registry.createType("Call", pending.call);
    if (`${decoded.section}.${decoded.method}` !== "treasury.spend") throw new Error(`decoded ${decoded.section}.${decoded.method}`);
    if (u8aToString(pending.summary) !== "Pay Eve 5000 TEO for consulting") throw new Error("the summary differs");
    console.log(`[gate] proposal ${vetoed.id}: "${u8aToString(pending.summary)}" runs ${decoded.section}.${decoded.method}(${JSON.stringify(decoded.args.map((a) => a.toHuman()))}) at block ${pending.unlockAt}`);
    const eveHeld = (await api.query.system.account(eve.address)).data.reserved.toBigInt();
    const treasuryBefore = await freeBalance(api, treasury);
    const allowanceBefore = await nextAllowance(api, eve.address);

    const proved = citizen("gate", ["veto", "--url", wsUri, "--proposal", String(vetoed.id), "--dev-identity", "//Alice", "--print"]);
    if (proved.status !== 0) throw new Error("teo-citizen could not prove Alice's veto");
    const vetoCall = api.registry.createType("Call", proved.stdout.trim());
    if (`${vetoCall.section}.${vetoCall.method}` !== "commitGate.vetoAnonymously") throw new Error(`the tool printed ${vetoCall.section}.${vetoCall.method}`);
    const anonymousVeto = vetoCall.args[1];
    const refusedWith = async (id, error) => {
      const index = api.errors.commitGate[error].meta.index.toNumber();
      try {
        await sendBareAndFinalize(api, api.tx.commitGate.vetoAnonymously(id, anonymousVeto));
      } catch (err) {
        if (!String(err.message).includes(`Custom error: ${index}`)) throw new Error(`expected ${error}: ${err.message}`);
        console.log(`[gate] the pool refused the veto sent for proposal ${id}: ${err.message} (${error})`);
        return;
      }
      throw new Error(`a veto for proposal ${id} was accepted; expected ${error}`);
    };
    await refusedWith(passed.id, "InvalidVetoProof");
    const { events: vetoEvents } = await sendBareAndFinalize(api, api.tx.commitGate.vetoAnonymously(vetoed.id, anonymousVeto));
    const anonymous = gateEvent(vetoEvents, "VetoedAnonymously");
    if (!anonymous || anonymous.data.id.toNumber() !== vetoed.id) throw new Error("no VetoedAnonymously event naming the proposal");
    // The veto's events name the proposer and its sponsor (who are penalised), never the vetoer.
    const aliceHex = api.registry.createType("AccountId", alice.address).toHex().slice(2);
    for (const { event } of vetoEvents) {
      const json = JSON.stringify(event.toJSON());
      if (json.includes(alice.address) || json.includes(aliceHex)) throw new Error(`the event ${event.section}.${event.method} names Alice`);
    }
    const killed = gateEvent(vetoEvents, "Killed");
    if (!killed || killed.data.id.toNumber() !== vetoed.id) throw new Error("no Killed event naming the proposal");
    if ((await api.call.commitGateApi.proposal(vetoed.id)).isSome) throw new Error("a vetoed proposal is still pending");
    const eveHeldAfter = (await api.query.system.account(eve.address)).data.reserved.toBigInt();
    if (eveHeld - eveHeldAfter !== deposit) throw new Error(`Eve's held balance fell by ${eveHeld - eveHeldAfter}, not the deposit`);
    const treasuryGain = (await freeBalance(api, treasury)) - treasuryBefore;
    if (treasuryGain !== deposit) throw new Error(`the treasury gained ${treasuryGain}, not the slashed deposit`);
    const allowanceAfter = await nextAllowance(api, eve.address);
    if (!(allowanceAfter < allowanceBefore)) throw new Error(`Eve's next allowance ${allowanceAfter} is not below ${allowanceBefore}`);
    console.log(`[gate] vetoed anonymously (nullifier ${anonymous.data.nullifier.toHex()}): ${deposit} slashed into the treasury, Eve's next allowance ${allowanceBefore} -> ${allowanceAfter}`);

    // 3. A proposal that waits out the timelock and is committed by the chain itself.
    const committedAt = await waitFor(`the commit of proposal ${passed.id}`, 180_000, async () => {
      const { number } = await finalizedNumber(api);
      return number >= passed.unlockAt && (await api.call.commitGateApi.proposal(passed.id)).isNone && number;
    });
    const commitHash = await api.rpc.chain.getBlockHash(passed.unlockAt);
    const commitEvents = await (await api.at(commitHash)).query.system.events();
    const committed = gateEvent(commitEvents, "Committed");
    if (!committed || committed.data.id.toNumber() !== passed.id) throw new Error(`no Committed event at the unlock block ${passed.unlockAt}`);
    if (!committed.data.result.isOk) throw new Error(`the committed call failed: ${committed.data.result.toString()}`);
    const [rootAfter, countAfter] = await api.call.commitGateApi.commitRoot();
    if (rootAfter.eq(rootBefore) || countAfter.toNumber() !== countBefore.toNumber() + 1) throw new Error("the commit chain did not advance");
    const approved = commitEvents.map(({ event }) => event).find((e) => e.section === "treasury" && e.method === "AssetSpendApproved");
    if (!approved) throw new Error("the treasury approved no spend");
    const bobBefore = await freeBalance(api, bob.address);
    await signAndFinalize(api, api.tx.treasury.payout(approved.data.index), alice);
    const bobGain = (await freeBalance(api, bob.address)) - bobBefore;
    if (bobGain !== amount) throw new Error(`Bob received ${bobGain}, not ${amount}`);
    console.log(`[gate] proposal ${passed.id} committed at block ${passed.unlockAt} (finalized by ${committedAt}); commit root ${rootAfter.toHex()}, Bob paid ${amount}`);

    // 4. The human-bandwidth cap, priced and shared, enforced by the node before inclusion.
    const PersonShareTaken = api.errors.commitGate.PersonShareTaken.meta.index.toNumber();
    for (let attempt = 0; attempt < 3; attempt++) {
      const epoch = (await api.call.actionBudgetApi.budget(ferdie.address)).unwrap().epoch.toNumber();
      const left = (await api.call.actionBudgetApi.admissionsLeftFor(ferdie.address, CITIZENS)).toNumber();
      const price = (await api.call.actionBudgetApi.admissionPrice(CITIZENS)).unwrap().toNumber();
      console.log(`[gate] attempt ${attempt}: Bob's agents may take ${left} more admissions this epoch, the next at ${price} units`);
      const remark = (i) => api.tx.system.remark(`fill ${attempt}.${i}`);
      // Fill what is left, all in one go (explicit nonces) so that they land in the same epoch.
      const nonce = (await api.rpc.system.accountNextIndex(ferdie.address)).toNumber();
      await Promise.all(Array.from({ length: left }, (_, i) =>
        signAndFinalize(api, api.tx.commitGate.submit(CITIZENS, remark(i), "filler"), ferdie, 120_000, { nonce: nonce + i })));
      const after = (await api.call.actionBudgetApi.admissionPrice(CITIZENS)).unwrap().toNumber();
      const epochAfter = (await api.call.actionBudgetApi.budget(ferdie.address)).unwrap().epoch.toNumber();
      if (epochAfter !== epoch) {
        console.log(`[gate] the epoch turned (${epoch} -> ${epochAfter}) while the share filled; trying again`);
        continue;
      }
      if (left > 0 && !(after > price)) throw new Error(`the price did not rise: ${price} then ${after}`);
      try {
        await signAndFinalize(api, api.tx.commitGate.submit(CITIZENS, remark("extra"), "one too many"), ferdie);
        console.log("[gate] the extra submission landed: the epoch turned in between; trying again");
      } catch (err) {
        const message = String(err.message);
        if (!/1010|Invalid Transaction/.test(message)) throw err;
        if (!message.includes(`Custom error: ${PersonShareTaken}`)) throw new Error(`refused for another reason: ${message}`);
        console.log(`[gate] the node refused a submission past Bob's share (price now ${after}): ${message}`);
        return 1;
      }
    }
    throw new Error("could not fill the share within one epoch in three attempts");
  });
}

module.exports = { run };
