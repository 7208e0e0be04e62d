// Alice transfers TRANSFER_AMOUNT to the account of the seed given as argument (for example
// "//SmokeRecipient") and waits for the block to be finalized. Passes when the recipient gained
// exactly the amount and Alice lost exactly the amount plus the fee the chain reported.

const { TRANSFER_AMOUNT, keyring, signAndFinalize, freeBalance, withApi } = require("./lib/teo");

async function run(nodeName, networkInfo, args) {
  const seed = args[0];
  return withApi(networkInfo.nodesByName[nodeName].wsUri, "transfer", async (api) => {
    const ring = keyring();
    const alice = ring.addFromUri("//Alice");
    const recipient = ring.addFromUri(seed).address;

    const tx = api.tx.balances.transferKeepAlive(recipient, TRANSFER_AMOUNT);
    const { blockHash, events } = await signAndFinalize(api, tx, alice);

    const header = await api.rpc.chain.getHeader(blockHash);
    const parent = header.parentHash;
    const gained = (await freeBalance(api, recipient, blockHash)) - (await freeBalance(api, recipient, parent));
    const spent = (await freeBalance(api, alice.address, parent)) - (await freeBalance(api, alice.address, blockHash));

    const feeEvent = events.find(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event));
    if (!feeEvent) throw new Error("no TransactionFeePaid event");
    const fee = feeEvent.event.data.actualFee.toBigInt() + feeEvent.event.data.tip.toBigInt();
    const transferred = events.some(({ event }) => api.events.balances.Transfer.is(event)
      && event.data.to.toString() === recipient && event.data.amount.toBigInt() === TRANSFER_AMOUNT);

    if (!transferred) throw new Error("no matching balances.Transfer event");
    if (gained !== TRANSFER_AMOUNT) throw new Error(`recipient gained ${gained}, expected ${TRANSFER_AMOUNT}`);
    if (spent !== TRANSFER_AMOUNT + fee) throw new Error(`Alice spent ${spent}, expected ${TRANSFER_AMOUNT} + fee ${fee}`);

    console.log(`[transfer] ${seed} <- ${TRANSFER_AMOUNT} in finalized block #${header.number} (fee ${fee})`);
    return 1;
  });
}

module.exports = { run };
