// Personhood end to end, with the citizen's tool (`teo-citizen`, on PATH) and @polkadot/api:
//  1. Alice proves with her dev identity and the tool submits personhood.verify: she becomes a
//     verified citizen, and the Verified event is visible through @polkadot/api.
//  2. The same identity for Bob's account: the same nullifier, refused (NullifierAlreadyUsed).
//  3. Charlie gets the encoded call from the tool (as a citizen pasting it into polkadot.js apps
//     would), and polkadot.js decodes it from the metadata alone; with its root replaced by an
//     unknown one it is refused (UnknownRoot), unchanged it verifies Charlie.
// Returns 1 when every step behaves; 0 with the reason otherwise.

const { keyring, signAndFinalize, withApi, citizen: runCitizen, isVerified } = require("./lib/teo");

const citizen = (args) => runCitizen("personhood", args);

const CITIZENS = 0;

async function verifiedCount(api) {
  const period = await api.query.personhood.currentPeriod();
  return (await api.query.personhood.verifiedCount(period.index, CITIZENS)).toNumber();
}

async function expectFailure(what, promise, error) {
  try {
    await promise;
  } catch (err) {
    if (String(err.message).includes(error)) return;
    throw new Error(`${what}: expected ${error}, got ${err.message}`);
  }
  throw new Error(`${what}: expected ${error}, but it succeeded`);
}

async function run(nodeName, networkInfo) {
  const wsUri = networkInfo.nodesByName[nodeName].wsUri;
  return withApi(wsUri, "personhood", async (api) => {
    const ring = keyring();
    const [alice, bob, charlie] = ["//Alice", "//Bob", "//Charlie"].map((s) => ring.addFromUri(s));

    // 1. Alice, through the tool.
    const before = await verifiedCount(api);
    const proved = citizen(["prove", "--url", wsUri, "--group", `${CITIZENS}`, "--dev-identity", "//Alice", "--suri", "//Alice"]);
    if (proved.status !== 0) throw new Error("Alice's verification failed");
    const blockHash = /included in block (0x[0-9a-f]{64})/.exec(proved.stdout)[1];
    const events = await (await api.at(blockHash)).query.system.events();
    const verified = events.find(({ event }) => api.events.personhood.Verified.is(event));
    if (!verified || verified.event.data.who.toString() !== alice.address) {
      throw new Error("no personhood.Verified event for Alice in the block the tool reported");
    }
    if (!(await isVerified(api, CITIZENS, alice.address))) throw new Error("Alice is not verified");
    if ((await verifiedCount(api)) !== before + 1) throw new Error("the verified count did not rise by one");
    const nullifier = verified.event.data.nullifier.toHex();

    // 2. The same person for Bob's account.
    const again = citizen(["prove", "--url", wsUri, "--dev-identity", "//Alice", "--suri", "//Bob"]);
    if (again.status === 0 || !again.stderr.includes("NullifierAlreadyUsed")) {
      throw new Error("a second account for the same person was not refused with NullifierAlreadyUsed");
    }
    if (await isVerified(api, CITIZENS, bob.address)) throw new Error("Bob became verified with Alice's nullifier");

    // 3. Charlie's call, printed by the tool and decoded by polkadot.js.
    const printed = citizen(["prove", "--url", wsUri, "--dev-identity", "//Charlie", "--account", charlie.address]);
    if (printed.status !== 0) throw new Error("the tool did not print Charlie's call");
    const call = api.createType("Call", printed.stdout.trim());
    if (call.section !== "personhood" || call.method !== "verify") throw new Error(`decoded ${call.section}.${call.method}`);
    const [group, root, callNullifier, proof] = call.args;
    if (callNullifier.toHex() === nullifier) throw new Error("Charlie's nullifier equals Alice's");
    const unknownRoot = "0x" + "11".repeat(32);
    await expectFailure(
      "a proof against an unknown root",
      signAndFinalize(api, api.tx.personhood.verify(group, unknownRoot, callNullifier, proof), charlie),
      "personhood.UnknownRoot",
    );
    await signAndFinalize(api, api.tx(call), charlie);
    if (!(await isVerified(api, CITIZENS, charlie.address))) throw new Error("Charlie is not verified");

    console.log(`[personhood] Alice and Charlie verified; Alice's nullifier ${nullifier} cannot serve Bob`);
    return 1;
  });
}

module.exports = { run };
