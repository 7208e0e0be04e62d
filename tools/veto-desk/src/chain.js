// What the desk reads from and sends to a TEO node, through @polkadot/api and the runtime's
// metadata alone (no custom types).
import { ApiPromise, WsProvider } from "@polkadot/api";
import { hexToU8a, u8aEq, u8aToHex, u8aToString } from "@polkadot/util";
import { blake2AsU8a, xxhashAsU8a } from "@polkadot/util-crypto";

import { SUBTREE_LEAVES } from "./tree-builder.js";

/** Leaves read per storage query: about 120 KB asked and 200 KB answered, far below the
 * node's default limits (15 MB and 10 MB). */
const LEAVES_PER_QUERY = 1024;
/** Storage queries in flight at once: a million members are a thousand queries, and waiting
 * out each round trip before the next would leave the node idle most of the time. */
const QUERIES_IN_FLIGHT = 4;

/** Each connection's provider, for the raw storage queries of `readValues`. */
const providers = new WeakMap();

export async function connect(url) {
  const provider = new WsProvider(url, 2_000);
  const api = await ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true });
  providers.set(api, provider);
  return api;
}

/** The groups at the finalized head: id, name, size and root (hex, or null while empty), and
 * the head's hash (`at`) to read their leaves at. */
export async function readGroups(api) {
  const hash = await api.rpc.chain.getFinalizedHead();
  const at = await api.at(hash);
  const entries = await at.query.personhood.groups.entries();
  const groups = entries
    .map(([key, info]) => {
      const group = info.unwrap();
      const sideNodes = group.sideNodes;
      return {
        id: key.args[0].toNumber(),
        name: u8aToString(group.name),
        // polkadot.js renames the field `size_`: a Struct is a Map, whose `size` counts fields.
        size: group.size_.toNumber(),
        root: sideNodes.length ? u8aToHex(sideNodes[sideNodes.length - 1]) : null,
      };
    })
    .sort((a, b) => a.id - b.id);
  return { at: hash.toHex(), groups };
}

/** Leaves `from..to` of `group` at block `at` (a hash), concatenated (32 bytes each). */
export function readLeaves(api, at, group, from, to) {
  const prefix = api.query.personhood.leaves.keyPrefix(group);
  return readValues(api, at, prefix, from, to, (index) => {
    throw new Error(`leaf ${index} of group ${group} is missing`);
  });
}

/** The chain's roots of the subtrees that leaves `from..to` of `group` fall in (subtrees of
 * `SUBTREE_LEAVES`), at block `at`, concatenated; zero where the chain has none (subtrees
 * filled before it kept them), for the prover to hash. */
export function readSubtreeRoots(api, at, group, from, to) {
  if (to <= from) return Promise.resolve(new Uint8Array(0));
  const prefix = api.query.personhood.subtreeRoots.keyPrefix(group);
  const first = Math.floor(from / SUBTREE_LEAVES);
  const last = Math.floor((to - 1) / SUBTREE_LEAVES);
  return readValues(api, at, prefix, first, last + 1, () => {});
}

/** The 32-byte values of the `Twox64Concat`-keyed map entries `prefix` + index, for indices
 * `from..to`, concatenated; `missing(index)` is called for an entry that is absent (and its
 * bytes left zero).
 *
 * Raw `state_queryStorageAt` queries, a few in flight: the keys are computed here (the map's
 * prefix, then xxhash64 and the index, as `Twox64Concat` makes them) and the values taken as
 * bytes, without a codec object per value. */
async function readValues(api, at, prefix, from, to, missing) {
  const provider = providers.get(api);
  const values = new Uint8Array((to - from) * 32);
  const ranges = [];
  for (let start = from; start < to; start += LEAVES_PER_QUERY) ranges.push([start, Math.min(to, start + LEAVES_PER_QUERY)]);
  let next = 0;
  let failed = false;
  const reader = async () => {
    while (next < ranges.length && !failed) {
      const [start, end] = ranges[next++];
      const keys = [];
      for (let index = start; index < end; index++) keys.push(prefix + indexKeySuffix(index));
      const [changes] = await provider.send("state_queryStorageAt", [keys, at]);
      const found = new Map((changes?.changes ?? []).map(([key, value]) => [key.toLowerCase(), value]));
      for (const [i, key] of keys.entries()) {
        const value = found.get(key);
        if (!value) {
          missing(start + i);
          continue;
        }
        const bytes = hexToU8a(value);
        if (bytes.length !== 32) throw new Error(`${key} is not 32 bytes`);
        values.set(bytes, (start + i - from) * 32);
      }
    }
  };
  // One failed query stops the others at their next range.
  const guarded = () => reader().catch((err) => {
    failed = true;
    throw err;
  });
  await Promise.all(Array.from({ length: Math.min(QUERIES_IN_FLIGHT, ranges.length) }, guarded));
  return values;
}

/** The `Twox64Concat` key of an index (a u32, little-endian), as lowercase hex. */
function indexKeySuffix(index) {
  const encoded = new Uint8Array(4);
  new DataView(encoded.buffer).setUint32(0, index, true);
  return u8aToHex(xxhashAsU8a(encoded, 64), -1, false) + u8aToHex(encoded, -1, false);
}

/** The pending proposals of `group`, in commit order, each with its call decoded. */
export async function readPending(api, group) {
  const pending = await api.call.commitGateApi.pending(group);
  return Promise.all(pending.map(async (p) => {
    const stored = await api.query.commitGate.proposals(p.id);
    let call = null;
    let callError = null;
    try {
      call = api.registry.createType("Call", p.call);
    } catch (err) {
      callError = String(err.message ?? err);
    }
    return {
      id: p.id.toNumber(),
      group: p.group.toNumber(),
      proposer: p.proposer.toString(),
      sponsor: p.sponsor.toString(),
      summary: u8aToString(p.summary),
      call: call && {
        name: `${call.section}.${call.method}`,
        args: Object.fromEntries(call.meta.args.map((arg, i) => [arg.name.toString(), call.args[i].toHuman()])),
        docs: call.meta.docs.map((d) => d.toString()).join(" "),
      },
      callError,
      callHash: p.callHash.toU8a(),
      // The veto's proof binds this hash: a node that showed other bytes than the hash it
      // reports is caught here, before the citizen judges the call.
      callMatchesHash: u8aEq(blake2AsU8a(p.call.toU8a(true), 256), p.callHash.toU8a()),
      deposit: api.createType("Balance", p.deposit).toHuman(),
      submittedAt: p.submittedAt.toNumber(),
      unlockAt: p.unlockAt.toNumber(),
      vetoes: p.vetoes.toNumber(),
      threshold: p.vetoThreshold.toNumber(),
      withdrawn: p.withdrawn.isTrue,
      nullifiers: stored.isSome ? stored.unwrap().nullifiers.map((n) => u8aToHex(n)) : [],
    };
  }));
}

/** The commit chain's head (root, count) and its most recent commits, newest first. */
export async function readCommits(api, limit = 10) {
  const [root, count] = await api.call.commitGateApi.commitRoot();
  const total = count.toNumber();
  const indices = Array.from({ length: Math.min(limit, total) }, (_, i) => total - 1 - i);
  const commits = await api.query.commitGate.recentCommits.multi(indices);
  return {
    root: root.toHex(),
    count: total,
    recent: commits.filter((c) => c.isSome).map((c) => {
      const commit = c.unwrap();
      return {
        index: commit.index.toNumber(),
        id: commit.id.toNumber(),
        group: commit.group.toNumber(),
        callHash: commit.callHash.toHex(),
        succeeded: commit.succeeded.isTrue,
        block: commit.block.toNumber(),
        root: commit.root.toHex(),
      };
    }),
  };
}

/** The verifying key the chain holds for `depth`, or null. */
export async function readVerifyingKey(api, depth) {
  const record = await api.query.personhood.verifyingKeys(depth);
  return record.isSome ? record.unwrap().key.toU8a(true) : null;
}

/** The milliseconds between blocks (Aura's slot). */
export async function blockTime(api) {
  return (await api.call.auraApi.slotDuration()).toNumber();
}

/** A refusal from the node or the chain, in words: the pool's custom error codes of an
 * anonymous veto are commit-gate errors, named by the metadata. */
export function explainRefusal(api, err) {
  const message = String(err?.message ?? err);
  const custom = /Custom error: (\d+)/.exec(message);
  if (custom) {
    const index = Number(custom[1]);
    const found = Object.entries(api.errors.commitGate).find(([, e]) => e.meta.index.toNumber() === index);
    if (found) return { name: found[0], text: found[1].meta.docs.map((d) => d.toString()).join(" ") };
  }
  return { name: null, text: message };
}

/** Sends `commitGate.vetoAnonymously(id, veto)` as a bare extrinsic (no account, no signature,
 * no fee) and resolves when it is in a block, with the gate's events of it; rejects with the
 * pool's refusal, the dispatch error, or after `timeoutMs` without a block. */
export function sendVeto(api, id, veto, timeoutMs = 120_000) {
  return new Promise((resolve, reject) => {
    let unsubscribe = () => {};
    const timer = setTimeout(() => finish(reject, new Error(
      `no block included the veto within ${timeoutMs / 1000} s: the node may have dropped it; try again, or through another node`)), timeoutMs);
    const finish = (fn, value) => {
      clearTimeout(timer);
      unsubscribe();
      fn(value);
    };
    api.tx.commitGate
      .vetoAnonymously(id, veto)
      .send(({ status, dispatchError, events }) => {
        if (status.isInvalid || status.isDropped || status.isUsurped) {
          finish(reject, new Error(`the node dropped the veto (${status.type})`));
        } else if (dispatchError) {
          let reason = dispatchError.toString();
          if (dispatchError.isModule) {
            const { section, name, docs } = api.registry.findMetaError(dispatchError.asModule);
            reason = `${section}.${name}: ${docs.join(" ")}`;
          }
          finish(reject, new Error(reason));
        } else if (status.isInBlock) {
          const gate = events.map(({ event }) => event).filter((e) => e.section === "commitGate");
          finish(resolve, { block: status.asInBlock.toHex(), events: gate });
        }
      })
      .then((unsub) => { unsubscribe = unsub; })
      .catch((err) => finish(reject, err));
  });
}
