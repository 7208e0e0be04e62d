// Arguments: N, then the nodes to watch. Passes when the finalized height of every named node
// advances by at least N blocks. Run while a validator is paused, it shows that the others
// still reach GRANDPA's threshold on their own.

const { finalizedNumber, waitFor, withApi } = require("./lib/teo");

async function run(_nodeName, networkInfo, args) {
  const [count, ...nodes] = args;
  const blocks = Number(count);
  const results = await Promise.all(nodes.map((name) =>
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
