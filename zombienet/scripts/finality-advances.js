// Passes when the finalized heights of alice and bob both advance by at least N blocks (the
// argument). Run while charlie is paused: it shows that 2 of 3 GRANDPA voters keep finalizing.

const { finalizedNumber, waitFor, withApi } = require("./lib/teo");

async function run(nodeName, networkInfo, args) {
  const blocks = Number(args[0] || 3);
  const results = await Promise.all(["alice", "bob"].map((name) =>
    withApi(networkInfo.nodesByName[name].wsUri, `finality-advances ${name}`, async (api) => {
      const start = await finalizedNumber(api);
      const end = await waitFor(`${name} to finalize ${blocks} more blocks`, 170_000, async () => {
        const now = await finalizedNumber(api);
        return now.number >= start.number + blocks ? now : null;
      });
      console.log(`[finality-advances] ${name}: finalized #${start.number} -> #${end.number}`);
      return 1;
    })));
  return results.every((r) => r === 1) ? 1 : 0;
}

module.exports = { run };
