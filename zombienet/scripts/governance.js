// The launched network changes its validators and its runtime through the gate, as
// docs/OPERATOR.md tells operators and citizens to:
//  1. Dave's operator makes session keys on Dave's node (`author_rotateKeysWithOwner`, so the
//     keys come with the proof that they are held for Dave's account) and registers them from
//     that account (`session.setKeys`). Dave's node runs as a validator but is none yet.
//  2. Ferdie, Bob's agent, proposes `validatorSet.addValidator(Dave)` together with the runtime
//     upgrade (lib/upgrade.js); both are constitutional and wait the longer timelock.
//  3. Before the upgrade is authorized, Ferdie proposes `validatorSet.removeValidator(Charlie)`;
//     Charlie applies the upgrade while that proposal is pending, and the new runtime commits it.
//  4. Dave authors blocks from the session after the next one after its addition, no earlier;
//     Charlie authors none once it has left. GRANDPA's voters, in the runtime and in the nodes'
//     own round state, are then Alice, Bob and Dave's new key, and the set id moved twice (one
//     change each; an unchanged session moves nothing). The suite then pauses Charlie's node:
//     three voters need all three, so finality going on shows that Dave votes.
// Returns 1 when every step behaves; 0 with the reason otherwise.

const { u8aToHex, hexToU8a } = require("@polkadot/util");
const { WsProvider } = require("@polkadot/api");
const { keyring, signAndFinalize, waitFor, withApi, finalizedNumber, ensureVerified, ensureAgent } =
  require("./lib/teo");
const { upgradeThroughTheGate, committedAt } = require("./lib/upgrade");

/** The Aura key that authored block `hash`: its slot (the pre-runtime digest) modulo the
 * authorities of its parent's state, as Aura picks the author. */
async function auraAuthor(api, hash) {
  const header = await api.rpc.chain.getHeader(hash);
  const preRuntime = header.digest.logs.find((log) => log.isPreRuntime && log.asPreRuntime[0].toString() === "aura");
  if (!preRuntime) throw new Error(`block ${header.number} has no Aura slot`);
  const slot = api.registry.createType("u64", preRuntime.asPreRuntime[1]).toBigInt();
  const authorities = await (await api.at(header.parentHash)).query.aura.authorities();
  return { number: header.number.toNumber(), key: authorities[Number(slot % BigInt(authorities.length))].toHex() };
}

/** The session index in the state after block `hash`. */
async function sessionAfter(api, hash) {
  return (await (await api.at(hash)).query.session.currentIndex()).toNumber();
}

/** GRANDPA's voters (public keys, sorted) and set id in the state after block `hash`. */
async function grandpaAt(api, hash) {
  const at = await api.at(hash);
  const voters = (await at.query.grandpa.authorities()).map(([key]) => key.toHex()).sort();
  return { voters, setId: (await at.query.grandpa.currentSetId()).toNumber() };
}

/** The validator-set pallet's `SetPlanned` events in blocks `from`..=`to`: each hand-over of a
 * changed set to the session pallet, for the session it names. */
async function handOvers(api, from, to) {
  const found = [];
  for (let n = from; n <= to; n++) {
    const events = await (await api.at(await api.rpc.chain.getBlockHash(n))).query.system.events();
    for (const { event } of events) {
      if (event.section === "validatorSet" && event.method === "SetPlanned") {
        found.push({ block: n, session: event.data.session.toNumber(), validators: event.data.validators.toNumber() });
      }
    }
  }
  return found;
}

/** The authors of blocks `from`..=`to`, by number. */
async function authors(api, from, to) {
  const found = [];
  for (let n = from; n <= to; n++) found.push(await auraAuthor(api, await api.rpc.chain.getBlockHash(n)));
  return found;
}

async function run(nodeName, networkInfo) {
  const wsUri = networkInfo.nodesByName[nodeName].wsUri;
  const daveUri = networkInfo.nodesByName.dave.wsUri;
  return withApi(wsUri, "governance", async (api) => {
    const ring = keyring();
    const [bob, charlie, dave, ferdie] = ["//Bob", "//Charlie", "//Dave", "//Ferdie"].map((s) => ring.addFromUri(s));
    await ensureVerified(api, wsUri, "//Bob", bob.address, "governance");
    await ensureAgent(api, bob, ferdie);
    const charlieAura = u8aToHex(ring.addFromUri("//Charlie").publicKey);
    const start = await finalizedNumber(api);
    const session = await sessionAfter(api, start.hash);
    const validators = (await (await api.at(start.hash)).query.session.validators()).map((v) => v.toString());
    if (validators.includes(dave.address)) throw new Error("Dave validates before any proposal");
    const before = await grandpaAt(api, start.hash);
    const aliceGrandpa = u8aToHex(ring.addFromUri("//Alice", {}, "ed25519").publicKey);
    const bobGrandpa = u8aToHex(ring.addFromUri("//Bob", {}, "ed25519").publicKey);
    console.log(`[governance] session ${session}, validators ${validators.join(", ")}, GRANDPA set ${before.setId}`);

    // 1. Keys made on Dave's node, registered from Dave's account.
    const provider = new WsProvider(daveUri);
    let generated;
    try {
      await provider.isReady;
      generated = await provider.send("author_rotateKeysWithOwner", [u8aToHex(dave.publicKey)]);
    } finally {
      await provider.disconnect();
    }
    const daveAura = u8aToHex(hexToU8a(generated.keys).subarray(0, 32));
    const daveGrandpa = u8aToHex(hexToU8a(generated.keys).subarray(32, 64));
    await signAndFinalize(api, api.tx.session.setKeys(generated.keys, generated.proof), dave);
    console.log(`[governance] Dave's node made keys (Aura ${daveAura}); Dave registered them`);

    // 2. and 3. Adding Dave beside the upgrade's authorization; removing Charlie across it.
    const upgraded = await upgradeThroughTheGate(api, wsUri, {
      proposer: ferdie,
      alongside: [[api.tx.validatorSet.addValidator(dave.address), "Dave joins the validators"]],
      survivor: ferdie,
      survivorCall: api.tx.validatorSet.removeValidator(charlie.address),
      survivorSummary: "Charlie leaves the validators",
      survivorIsConstitutional: true,
      applier: charlie,
      label: "governance",
    });
    const fresh = upgraded.api;
    const [add] = upgraded.alongside;
    console.log(`[governance] proposal ${add.id}: add Dave, unlocked at ${add.unlockAt}`);
    try {
      const added = await committedAt(fresh, add.unlockAt, add.id);
      if (!added || !added.data.result.isOk) throw new Error(`proposal ${add.id} (add Dave) was not committed at ${add.unlockAt}`);

      // 4. Dave authors, from a finalized block, and not before the session after the next one
      //    after the commit (the session in the state before the commit's block).
      const commitHash = await fresh.rpc.chain.getBlockHash(add.unlockAt);
      const addedIn = await sessionAfter(fresh, (await fresh.rpc.chain.getHeader(commitHash)).parentHash);
      const daveAuthored = await waitFor("a finalized block authored by Dave", 180_000, async () => {
        const { number } = await finalizedNumber(fresh);
        return (await authors(fresh, add.unlockAt, number)).find((a) => a.key === daveAura);
      });
      const daveParent = (await fresh.rpc.chain.getHeader(await fresh.rpc.chain.getBlockHash(daveAuthored.number))).parentHash;
      const daveSession = await sessionAfter(fresh, daveParent);
      if (daveSession < addedIn + 2) throw new Error(`Dave authored in session ${daveSession}, added in ${addedIn}: too early`);
      console.log(`[governance] added in session ${addedIn}; Dave authored block ${daveAuthored.number} in session ${daveSession}`);

      // 5. Charlie leaves: read at one finalized block, then no block of Charlie's after it.
      const left = await waitFor("Charlie's departure from the finalized session's validators", 180_000, async () => {
        const { number, hash } = await finalizedNumber(fresh);
        const current = (await (await fresh.at(hash)).query.session.validators()).map((v) => v.toString());
        return !current.includes(charlie.address) && current.includes(dave.address) && { number, hash };
      });
      const checkedTo = left.number + 6;
      await waitFor(`finality beyond block ${checkedTo}`, 180_000, async () => (await finalizedNumber(fresh)).number >= checkedTo);
      const late = (await authors(fresh, left.number + 1, checkedTo)).filter((a) => a.key === charlieAura);
      if (late.length) throw new Error(`Charlie authored blocks ${late.map((a) => a.number)} after leaving by block ${left.number}`);

      // 6. GRANDPA's voters: in the runtime, and in the node's own round state; two set changes.
      const after = await grandpaAt(fresh, await fresh.rpc.chain.getBlockHash(checkedTo));
      const expected = [aliceGrandpa, bobGrandpa, daveGrandpa].sort();
      if (JSON.stringify(after.voters) !== JSON.stringify(expected)) throw new Error(`GRANDPA's voters are ${after.voters}, not Alice, Bob and Dave's new key`);
      if (after.setId !== before.setId + 2) throw new Error(`GRANDPA's set id went ${before.setId} -> ${after.setId}, not two changes`);
      const round = await fresh.rpc.grandpa.roundState();
      if (round.setId.toNumber() !== after.setId || round.best.totalWeight.toNumber() !== 3) {
        throw new Error(`the node votes in set ${round.setId} with total weight ${round.best.totalWeight}, not set ${after.setId} of 3`);
      }
      // 7. Each change was handed over once, at the first boundary after its commit, for the
      //    session after the next one: four validators, then three; nothing else.
      const removedIn = await sessionAfter(fresh, (await fresh.rpc.chain.getHeader(await fresh.rpc.chain.getBlockHash(upgraded.pending.unlockAt))).parentHash);
      const planned = await handOvers(fresh, add.unlockAt, checkedTo);
      const expectedPlans = [{ session: addedIn + 2, validators: 4 }, { session: removedIn + 2, validators: 3 }];
      if (JSON.stringify(planned.map(({ session, validators }) => ({ session, validators }))) !== JSON.stringify(expectedPlans)) {
        throw new Error(`hand-overs ${JSON.stringify(planned)}, expected ${JSON.stringify(expectedPlans)}`);
      }
      const set = (await fresh.query.validatorSet.validators()).map((v) => v.toString());
      console.log(`[governance] hand-overs ${JSON.stringify(planned)}`);
      console.log(`[governance] Charlie left by block ${left.number}, authored nothing in ${left.number + 1}..=${checkedTo}; GRANDPA set ${before.setId} -> ${after.setId}, 3 voters in the node's round; validators now ${set.join(", ")}`);
      return 1;
    } finally {
      await fresh.disconnect();
    }
  });
}

module.exports = { run };
