// An adversarial agent against a three-validator network, through @polkadot/api: each attack of
// docs/COMMIT-GATE.md's threat model is tried and must fail, and the honest path must still work.
//  1. Alice sponsors Ferdie, the adversary; Charlie sponsors Eve, an honest agent.
//  2. Ferdie proposes to break the constitution (a one-block timelock), to use the citizens'
//     powers through another group, and a half-failing `utility.batch`: the node refuses each
//     before it reaches a block (Unconstitutional, WrongGroup, ForbiddenCall).
//  3. As an epoch opens, Ferdie grabs the citizens' admissions: he gets his sponsor's share, at a
//     rising price, and the node refuses the next one (PersonShareTaken); Eve, another person's
//     agent, is admitted in the same epoch.
//  4. Ferdie withdraws a proposal to escape a veto: Charlie vetoes it anyway; it is killed,
//     Ferdie's deposit is slashed and Alice's agents penalised. The veto cost Charlie no fee and
//     runs in the operational class.
//  5. Alice, Ferdie's own sponsor, reports his equivocation to collect the reward of his slash:
//     the node refuses it (ReporterIsOffender).
//  6. Eve's proposal is committed when its timelock ends.
// Returns 1 when every attack fails and the honest path works; 0 with the reason otherwise.

const { blake2AsU8a } = require("@polkadot/util-crypto");
const { u8aConcat, stringToU8a } = require("@polkadot/util");
const { keyring, signAndFinalize, waitFor, withApi, finalizedNumber, ensureVerified } =
  require("./lib/teo");

const CITIZENS = 0;

function events(list, section, method) {
  return list.map(({ event }) => event).filter((e) => e.section === section && e.method === method);
}

/** Sends `tx` and expects the node to refuse it with the custom error `error` (its index). */
async function refused(api, what, tx, signer, error) {
  const index = error.meta.index.toNumber();
  try {
    await signAndFinalize(api, tx, signer);
  } catch (err) {
    const message = String(err.message);
    if (!/1010|Invalid Transaction/.test(message)) throw new Error(`${what}: expected a refusal by the node, got ${message}`);
    if (!message.includes(`Custom error: ${index}`)) throw new Error(`${what}: refused for another reason: ${message}`);
    console.log(`[adversary] ${what}: refused by the node (${error.meta.name})`);
    return;
  }
  throw new Error(`${what}: it was accepted`);
}

async function reserved(api, address) {
  return (await api.query.system.account(address)).data.reserved.toBigInt();
}

async function run(nodeName, networkInfo) {
  const wsUri = networkInfo.nodesByName[nodeName].wsUri;
  return withApi(wsUri, "adversary", async (api) => {
    const ring = keyring();
    const [alice, charlie, eve, ferdie] = ["//Alice", "//Charlie", "//Eve", "//Ferdie"].map((s) => ring.addFromUri(s));
    const gateErrors = api.errors.commitGate;
    const remark = (text) => api.tx.system.remark(text);
    const submit = (group, call, summary) => api.tx.commitGate.submit(group, call, summary);

    // 1. Two people, each with an agent.
    await ensureVerified(api, wsUri, "//Alice", alice.address, "adversary");
    await ensureVerified(api, wsUri, "//Charlie", charlie.address, "adversary");
    await signAndFinalize(api, api.tx.actionBudget.registerAgent(ferdie.address), alice);
    await signAndFinalize(api, api.tx.actionBudget.registerAgent(eve.address), charlie);

    // 2. Proposals that would break the rules, refused before they take an admission.
    const parameters = (await api.call.commitGateApi.parameters()).unwrap();
    const oneBlock = api.tx.commitGate.setParameters({ ...parameters.toJSON(), timelock: 1 });
    await refused(api, "a one-block timelock", submit(CITIZENS, oneBlock, "faster governance"), ferdie, gateErrors.Unconstitutional);
    const same = api.tx.commitGate.setParameters(parameters);
    await refused(api, "the citizens' powers through group 1", submit(1, same, "a small change"), ferdie, gateErrors.WrongGroup);
    const half = api.tx.utility.batch([remark("a"), api.tx.balances.transferAllowDeath(ferdie.address, 1)]);
    await refused(api, "a half-failing batch", submit(CITIZENS, half, "tidy up"), ferdie, gateErrors.ForbiddenCall);

    // 3. The admission grab, as an epoch opens.
    let grabbed;
    let honest;
    for (let attempt = 0; attempt < 3 && !honest; attempt++) {
      const start = (await api.call.actionBudgetApi.epoch()).unwrap().index.toNumber();
      await waitFor(`epoch ${start + 1}`, 120_000, async () =>
        (await api.call.actionBudgetApi.epoch()).unwrap().index.toNumber() > start);
      const share = (await api.call.actionBudgetApi.admissionsLeftFor(ferdie.address, CITIZENS)).toNumber();
      const nonce = (await api.rpc.system.accountNextIndex(ferdie.address)).toNumber();
      const landed = await Promise.all(Array.from({ length: share }, (_, i) =>
        signAndFinalize(api, submit(CITIZENS, remark(`grab ${attempt}.${i}`), "filler"), ferdie, 120_000, { nonce: nonce + i })));
      await refused(api, "an admission past Ferdie's share", submit(CITIZENS, remark("one more"), "filler"), ferdie, gateErrors.PersonShareTaken);
      const fair = await signAndFinalize(api, submit(CITIZENS, remark("the town's budget"), "Eve's honest proposal"), eve);
      const admitted = [...landed, fair].flatMap((r) => events(r.events, "actionBudget", "PullRequestAdmitted"));
      const epochs = new Set(admitted.map((e) => e.data.epoch.toNumber()));
      const prices = admitted.map((e) => e.data.price.toNumber());
      if (epochs.size === 1) {
        for (let i = 1; i < prices.length; i++) {
          if (!(prices[i] > prices[i - 1])) throw new Error(`the price did not rise: ${prices}`);
        }
        grabbed = landed.map((r) => events(r.events, "commitGate", "Submitted")[0].data.id.toNumber());
        honest = events(fair.events, "commitGate", "Submitted")[0].data;
        console.log(`[adversary] epoch ${[...epochs][0]}: Ferdie took ${share} admissions, Eve got one too; prices ${prices}`);
      } else {
        console.log(`[adversary] the epoch turned during attempt ${attempt}; trying again`);
      }
    }
    if (!honest) throw new Error("could not run the admission grab within one epoch in three attempts");

    // 4. Withdrawing does not escape the veto.
    const target = grabbed[0];
    const heldBefore = await reserved(api, ferdie.address);
    const { events: withdrawn } = await signAndFinalize(api, api.tx.commitGate.withdraw(target), ferdie);
    if (events(withdrawn, "commitGate", "Withdrawn").length !== 1) throw new Error("no Withdrawn event");
    if ((await reserved(api, ferdie.address)) !== heldBefore) throw new Error("withdrawing returned the deposit");
    const veto = api.tx.commitGate.veto(target);
    const info = await veto.paymentInfo(charlie);
    if (info.class.toString() !== "Operational") throw new Error(`a veto is in the ${info.class} class`);
    const charlieBefore = (await api.query.system.account(charlie.address)).data.free.toBigInt();
    const { events: vetoed } = await signAndFinalize(api, veto, charlie);
    const killed = events(vetoed, "commitGate", "Killed")[0];
    if (!killed || killed.data.id.toNumber() !== target) throw new Error("the withdrawn proposal was not killed");
    // The other grabbed proposal may have ended meanwhile: compare with the deposit itself.
    const slashed = killed.data.slashed.toBigInt();
    if (slashed !== parameters.proposalDeposit.toBigInt()) throw new Error(`slashed ${slashed}, not the deposit`);
    if (!(heldBefore - (await reserved(api, ferdie.address)) >= slashed)) throw new Error("Ferdie's deposit is still held");
    if (!events(vetoed, "actionBudget", "AgentPenalised").some((e) => e.data.agent.toString() === ferdie.address)) {
      throw new Error("Ferdie was not penalised");
    }
    const charlieAfter = (await api.query.system.account(charlie.address)).data.free.toBigInt();
    if (charlieAfter !== charlieBefore) throw new Error(`the veto cost Charlie ${charlieBefore - charlieAfter}`);
    console.log(`[adversary] withdrawn proposal ${target} vetoed anyway: ${slashed} slashed, Ferdie penalised, the veto was free`);

    // 5. The sponsor reports its own agent to collect the reward.
    const genesis = await api.rpc.chain.getBlockHash(0);
    const anchor = await api.rpc.chain.getFinalizedHead();
    const anchorNumber = (await api.rpc.chain.getHeader(anchor)).number.toNumber();
    const epoch = (await api.call.actionBudgetApi.epoch()).unwrap().index.toNumber();
    const [commitRoot] = await api.call.commitGateApi.commitRoot();
    const signed = (body) => {
      const header = api.createType("TeoPrimitivesMeshMeshHeader", {
        agent: ferdie.address, group: CITIZENS, kind: "Draft", epoch, seq: 0, spentBefore: 0, cost: 10,
        bodyLen: body.length, bodyHash: blake2AsU8a(body), anchorNumber, anchorHash: anchor, commitRoot,
      });
      const payload = u8aConcat(stringToU8a("TEO/mesh-header/v2"), genesis.toU8a(), header.toU8a());
      return { header, signature: { Sr25519: ferdie.sign(payload) } };
    };
    const report = api.tx.actionBudget.reportEquivocation(signed(stringToU8a("yes")), signed(stringToU8a("no")));
    await refused(api, "the sponsor's report of its own agent", report, alice, api.errors.actionBudget.ReporterIsOffender);

    // 6. The honest proposal runs.
    await waitFor(`the commit of Eve's proposal ${honest.id}`, 180_000, async () => {
      const { number } = await finalizedNumber(api);
      return number >= honest.unlockAt.toNumber() && (await api.call.commitGateApi.proposal(honest.id)).isNone;
    });
    const at = await api.at(await api.rpc.chain.getBlockHash(honest.unlockAt));
    const committed = events(await at.query.system.events(), "commitGate", "Committed")
      .find((e) => e.data.id.eq(honest.id));
    if (!committed || !committed.data.result.isOk) throw new Error("Eve's proposal was not committed");
    console.log(`[adversary] Eve's proposal ${honest.id} committed at block ${honest.unlockAt}`);
    return 1;
  });
}

module.exports = { run };
