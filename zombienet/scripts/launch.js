// The launched network is governed by its citizens alone, and only real keys prove on it:
//  1. no sudo key, the testnet constitution, the ceremony's verifying key and no other, and the
//     citizens' group with its registrar;
//  2. the citizen's tool refuses to prove with the insecure dev key on this chain
//     (DevKeyRefused), before anything reaches it.
// The suites that follow (personhood, action budget, commit gate) verify citizens with proofs
// from the ceremony's key (TEO_PROVING_KEY) and commit a proposal on this network.
// Returns 1 when every check holds; 0 with the reason otherwise.

const { spawnSync } = require("child_process");
const { withApi } = require("./lib/teo");

async function run(nodeName, networkInfo) {
  const wsUri = networkInfo.nodesByName[nodeName].wsUri;
  return withApi(wsUri, "launch", async (api) => {
    if ((await api.query.sudo.key()).isSome) throw new Error("the launched chain has a sudo key");
    const constitution = (await api.query.constitution.chainConstitution()).toString();
    if (constitution !== "Testnet") throw new Error(`constitution ${constitution}, not Testnet`);
    const keys = await api.query.personhood.verifyingKeys.keys();
    const depths = keys.map(({ args: [depth] }) => depth.toNumber());
    const expected = Number(process.env.TEO_PROVING_KEY_DEPTH);
    if (depths.length !== 1 || depths[0] !== expected) {
      throw new Error(`verifying keys for depths ${depths}, expected the ceremony's ${expected}`);
    }
    const citizens = await api.query.personhood.groups(0);
    if (citizens.isNone) throw new Error("no citizens' group");
    console.log(`[launch] no sudo, ${constitution}, key of depth ${expected}, registrar ${citizens.unwrap().registrar}`);

    const env = { ...process.env };
    delete env.TEO_PROVING_KEY;
    delete env.TEO_PROVING_KEY_DEPTH;
    const dev = spawnSync("teo-citizen", ["prove", "--url", wsUri, "--dev-identity", "//Alice", "--suri", "//Alice"], {
      encoding: "utf8",
      timeout: 120_000,
      env,
    });
    // The tool's own refusal, before proving or submitting anything: not the chain's.
    if (dev.status === 0 || !dev.stderr.includes("refuses the insecure dev key") || /proving \(this takes|included in block/.test(dev.stderr + dev.stdout)) {
      throw new Error(`the dev key was not refused: status ${dev.status}\n${dev.stdout}${dev.stderr}`);
    }
    console.log("[launch] the citizen's tool refuses the dev key here");
    return 1;
  });
}

module.exports = { run };
