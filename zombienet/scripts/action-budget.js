// Rule A end to end, through @polkadot/api and the ActionBudgetApi runtime API:
//  1. Alice and Charlie are verified citizens (the citizen's tool proves for whoever is not).
//  2. Alice registers Dave as her agent (the deposit is held); his allowance is the base.
//  3. Charlie delegates to Dave: the next epoch's allowance rises at once, and from the next
//     epoch the allowance itself does. Charlie undelegates: it falls back the same way.
//  4. Two headers Dave signed with the same seq in one epoch (an equivocation) are reported by
//     Bob: Dave's deposit is slashed, Bob is paid a share, Dave's budget is exhausted, and the
//     report cost Bob no fee. A report of headers that do not conflict, and a second report of
//     the same offence, are refused by the node before they reach a block.
// Returns 1 when every step behaves; 0 with the reason otherwise.

const { blake2AsU8a } = require("@polkadot/util-crypto");
const { u8aConcat, stringToU8a } = require("@polkadot/util");
const { keyring, signAndFinalize, waitFor, withApi, ensureVerified } =
  require("./lib/teo");

const CITIZENS = 0;
const BASE = 1000n;
const PER_DELEGATOR = 100n;

async function budget(api, address) {
  const value = await api.call.actionBudgetApi.budget(address);
  if (value.isNone) throw new Error(`${address} has no budget`);
  const b = value.unwrap();
  return {
    epoch: b.epoch.toNumber(),
    allowance: b.allowance.toBigInt(),
    spent: b.spentOnChain.toBigInt(),
    next: b.nextAllowance.toBigInt(),
  };
}

async function nextEpoch(api, after) {
  return waitFor(`an epoch after ${after}`, 120_000, async () => (await budget(api, DAVE)).epoch > after);
}

let DAVE;

async function run(nodeName, networkInfo) {
  const wsUri = networkInfo.nodesByName[nodeName].wsUri;
  return withApi(wsUri, "budget", async (api) => {
    const ring = keyring();
    const [alice, bob, charlie, dave] = ["//Alice", "//Bob", "//Charlie", "//Dave"].map((s) => ring.addFromUri(s));
    DAVE = dave.address;

    // 1. Citizens.
    await ensureVerified(api, wsUri, "//Alice", alice.address, "budget");
    await ensureVerified(api, wsUri, "//Charlie", charlie.address, "budget");

    // 2. An agent.
    await signAndFinalize(api, api.tx.actionBudget.registerAgent(dave.address), alice);
    const record = (await api.call.actionBudgetApi.agent(dave.address)).unwrap();
    if (record.sponsor.toString() !== alice.address) throw new Error("Dave's sponsor is not Alice");
    const deposit = record.deposit.toBigInt();
    let b = await budget(api, dave.address);
    if (b.allowance !== BASE) throw new Error(`a new agent's allowance is ${b.allowance}, not ${BASE}`);

    // 3. Delegation moves the allowance, from the next epoch.
    await signAndFinalize(api, api.tx.actionBudget.delegate(dave.address), charlie);
    b = await budget(api, dave.address);
    if (b.next !== BASE + PER_DELEGATOR) throw new Error(`next allowance ${b.next} after a delegation`);
    await nextEpoch(api, b.epoch);
    b = await budget(api, dave.address);
    if (b.allowance !== BASE + PER_DELEGATOR) throw new Error(`allowance ${b.allowance} an epoch after a delegation`);
    console.log(`[budget] epoch ${b.epoch}: Dave's allowance rose to ${b.allowance} with Charlie's delegation`);

    await signAndFinalize(api, api.tx.actionBudget.undelegate(), charlie);
    b = await budget(api, dave.address);
    if (b.next !== BASE) throw new Error(`next allowance ${b.next} after undelegating`);
    await nextEpoch(api, b.epoch);
    b = await budget(api, dave.address);
    if (b.allowance !== BASE) throw new Error(`allowance ${b.allowance} an epoch after undelegating`);
    console.log(`[budget] epoch ${b.epoch}: Dave's allowance fell back to ${b.allowance}`);

    // 4. An equivocation: two different messages with seq 0 in this epoch, both signed by Dave.
    const genesis = await api.rpc.chain.getBlockHash(0);
    const anchor = await api.rpc.chain.getFinalizedHead();
    const anchorNumber = (await api.rpc.chain.getHeader(anchor)).number.toNumber();
    const [commitRoot] = await api.call.commitGateApi.commitRoot();
    const signed = (body, seq = 0, spentBefore = 0) => {
      const header = api.createType("TeoPrimitivesMeshMeshHeader", {
        agent: dave.address,
        group: CITIZENS,
        kind: "Draft",
        epoch: b.epoch,
        seq,
        spentBefore,
        cost: 10, // a draft of up to 1 KiB: 8 + 2 per started KiB
        bodyLen: body.length,
        bodyHash: blake2AsU8a(body),
        anchorNumber,
        anchorHash: anchor,
        commitRoot,
      });
      const payload = u8aConcat(stringToU8a("TEO/mesh-header/v2"), genesis.toU8a(), header.toU8a());
      return { header, signature: { Sr25519: dave.sign(payload) } };
    };
    const first = signed(stringToU8a("draft: build the bridge"));
    const second = signed(stringToU8a("draft: do not build the bridge"));
    const refusedByPool = async (what, tx) => {
      try {
        await signAndFinalize(api, tx, bob);
      } catch (err) {
        if (/Invalid Transaction|1010/.test(String(err.message))) return;
        throw new Error(`${what}: expected the pool to refuse it, got ${err.message}`);
      }
      throw new Error(`${what}: it was accepted`);
    };
    const next = signed(stringToU8a("draft: a second, honest message"), 1, 10);
    await refusedByPool("headers that do not conflict", api.tx.actionBudget.reportEquivocation(first, next));
    const bobBefore = (await api.query.system.account(bob.address)).data.free.toBigInt();
    const { events } = await signAndFinalize(api, api.tx.actionBudget.reportEquivocation(first, second), bob);
    const punished = events.find(({ event }) => api.events.actionBudget.FraudPunished.is(event));
    if (!punished) throw new Error("no FraudPunished event");
    const { slashed, reward } = punished.event.data;
    const after = (await api.call.actionBudgetApi.agent(dave.address)).unwrap();
    if (after.deposit.toBigInt() !== deposit - slashed.toBigInt()) throw new Error("the deposit did not shrink by the slash");
    if (slashed.toBigInt() === 0n) throw new Error("nothing was slashed");
    const bobAfter = (await api.query.system.account(bob.address)).data.free.toBigInt();
    if (bobAfter - bobBefore !== reward.toBigInt()) {
      throw new Error(`Bob's balance moved by ${bobAfter - bobBefore}, expected exactly the reward ${reward} (no fee)`);
    }
    b = await budget(api, dave.address);
    if (b.spent !== b.allowance) throw new Error("Dave's budget for the epoch is not exhausted");
    await refusedByPool("a second report of the same offence", api.tx.actionBudget.reportEquivocation(first, second));
    console.log(`[budget] equivocation: ${slashed} slashed from Dave's deposit, ${reward} paid to Bob, no fee`);
    return 1;
  });
}

module.exports = { run };
