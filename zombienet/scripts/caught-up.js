// Run on a node that was away. Arguments: the reference node's name, then the seeds of accounts
// that received a transfer. Passes when this node has finalized at least the reference node's
// finalized height (taken at the start), agrees on that block's hash, and holds every transfer.

const { TRANSFER_AMOUNT, keyring, finalizedNumber, freeBalance, waitFor, withApi } = require("./lib/teo");

async function run(nodeName, networkInfo, args) {
  const [reference, ...seeds] = args;
  const target = await withApi(networkInfo.nodesByName[reference].wsUri, "caught-up reference",
    async (api) => finalizedNumber(api));
  if (!target) return 0;

  return withApi(networkInfo.nodesByName[nodeName].wsUri, "caught-up", async (api) => {
    const reached = await waitFor(`${nodeName} to finalize #${target.number}`, 170_000, async () => {
      const now = await finalizedNumber(api);
      return now.number >= target.number ? now : null;
    });
    const hash = (await api.rpc.chain.getBlockHash(target.number)).toHex();
    if (hash !== target.hash) {
      throw new Error(`#${target.number} is ${hash} on ${nodeName} but ${target.hash} on ${reference}`);
    }
    const ring = keyring();
    for (const seed of seeds) {
      const balance = await freeBalance(api, ring.addFromUri(seed).address, reached.hash);
      if (balance !== TRANSFER_AMOUNT) throw new Error(`${seed} holds ${balance} on ${nodeName}`);
    }
    console.log(`[caught-up] ${nodeName} finalized #${reached.number} (>= #${target.number} of ${reference}), ` +
      `${seeds.length} transfers present`);
    return 1;
  });
}

module.exports = { run };
