// Every block of the chain so far decodes in @polkadot/api, the client our citizens use: each
// extrinsic is signed (version 4) or bare (version 4, as @polkadot/api sends the anonymous veto,
// or 5, as the node writes its inherents), never general, and its call decodes through the
// metadata. @polkadot/api 16.5.6 cannot decode a version-5 general transaction: one in a block
// breaks `chain.getBlock` and every `send` status callback for every user (docs/COMMIT-GATE.md,
// "The anonymous veto's transaction"). Run at the end of a suite.
// Returns 1 when every block decodes; 0 with the reason otherwise.

const { withApi, finalizedNumber } = require("./lib/teo");

async function run(nodeName, networkInfo) {
  return withApi(networkInfo.nodesByName[nodeName].wsUri, "blocks", async (api) => {
    const { number: head } = await finalizedNumber(api);
    let extrinsics = 0;
    let bare = 0;
    for (let n = 1; n <= head; n++) {
      const hash = await api.rpc.chain.getBlockHash(n);
      const { block } = await api.rpc.chain.getBlock(hash);
      for (const ext of block.extrinsics) {
        // The format byte: the version in the low bits, 0b01 in the top two for a general one.
        const format = ext.toU8a(true)[0];
        if ((format & 0xc0) === 0x40) throw new Error(`block ${n} holds a general transaction (format 0x${format.toString(16)})`);
        if (![4, 5].includes(format & 0x3f)) throw new Error(`block ${n} holds an extrinsic of version ${format & 0x3f}`);
        if (!ext.method.section || !ext.method.method) throw new Error(`block ${n} holds an undecoded call`);
        ext.toHuman();
        extrinsics++;
        if (!ext.isSigned && ext.method.section !== "timestamp") bare++;
      }
    }
    console.log(`[blocks] ${head} finalized blocks, ${extrinsics} extrinsics (${bare} bare besides the inherents), all decoded`);
    return 1;
  });
}

module.exports = { run };
