// Checks what a polkadot.js user relies on: standard metadata (V14+, and V14/V15/V16 offered by
// the runtime), the TEO token as the chain properties announce it, one Aura and GRANDPA authority per node of
// the network (every node a validator, from the session pallet's genesis keys),
// and that the latest block's extrinsics and events decode with no custom types.

const { withApi } = require("./lib/teo");

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

async function run(nodeName, networkInfo) {
  return withApi(networkInfo.nodesByName[nodeName].wsUri, "check-chain", async (api) => {
    expect(api.runtimeMetadata.version >= 14, `metadata V${api.runtimeMetadata.version} < V14`);
    const versions = (await api.call.metadata.metadataVersions()).map((v) => v.toNumber());
    for (const v of [14, 15, 16]) expect(versions.includes(v), `metadata V${v} not offered: ${versions}`);

    const props = await api.rpc.system.properties();
    expect(props.tokenSymbol.unwrap()[0].toString() === "TEO", `token symbol ${props.tokenSymbol}`);
    expect(props.tokenDecimals.unwrap()[0].toNumber() === 12, `token decimals ${props.tokenDecimals}`);
    expect(props.ss58Format.unwrap().toNumber() === 42, `ss58 format ${props.ss58Format}`);
    expect(api.consts.system.ss58Prefix.toNumber() === 42, "runtime SS58 prefix differs from the spec's");
    expect(api.registry.chainTokens[0] === "TEO" && api.registry.chainDecimals[0] === 12, "registry token");

    expect(api.runtimeVersion.specName.toString() === "teo", `spec name ${api.runtimeVersion.specName}`);
    const nodes = Object.keys(networkInfo.nodesByName).length;
    const authorities = await api.query.aura.authorities();
    expect(authorities.length === nodes, `expected ${nodes} Aura authorities, found ${authorities.length}`);
    const grandpa = await api.call.grandpaApi.grandpaAuthorities();
    expect(grandpa.length === nodes, `expected ${nodes} GRANDPA authorities, found ${grandpa.length}`);
    const sessionValidators = await api.query.session.validators();
    expect(sessionValidators.length === nodes, `expected ${nodes} session validators, found ${sessionValidators.length}`);

    // Everything in a recent block decodes through the metadata alone.
    const hash = await api.rpc.chain.getFinalizedHead();
    const block = await api.rpc.chain.getBlock(hash);
    expect(block.block.extrinsics.length >= 1, "a block holds at least the timestamp inherent");
    for (const ext of block.block.extrinsics) {
      expect(typeof ext.method.section === "string" && ext.method.section.length > 0, "undecoded call");
      ext.toHuman();
    }
    const events = await (await api.at(hash)).query.system.events();
    for (const { event } of events) {
      expect(event.section && event.method, "undecoded event");
      event.toHuman();
    }

    console.log(`[check-chain] ${nodeName}: metadata V${api.runtimeMetadata.version} (offers ${versions}), ` +
      `TEO/12/ss58 42, ${authorities.length} authorities`);
    return 1;
  });
}

module.exports = { run };
