// The prover's worker: TEO's prover compiled to WebAssembly (teo-browser-prover), off the
// page's thread so that the page stays responsive while it proves. It holds the proving key and
// the groups' trees; the page sends requests and gets answers by id.
import init, { Group, Prover, identityCommitment, vetoNullifier } from "./pkg/teo_browser_prover.js";

const ready = init({ module_or_path: new URL("./pkg/teo_browser_prover_bg.wasm", import.meta.url) });
let prover = null;
const groups = new Map();

function summary(id) {
  const tree = group(id);
  return { root: tree.root() ?? null, size: tree.size(), hashed: tree.hashedSubtrees() };
}

function group(id) {
  const tree = groups.get(id);
  if (!tree) throw new Error(`the desk has not read group ${id} yet`);
  return tree;
}

const handlers = {
  // { dev: true } for the insecure dev key, or { bytes, depth } for a key file.
  async loadKey({ dev, bytes, depth }) {
    prover?.free();
    prover = null;
    prover = dev ? Prover.devKey() : Prover.fromKeyFile(new Uint8Array(bytes), depth);
    return { depth: prover.depth(), verifyingKey: prover.verifyingKey() };
  },
  // Replaces a group's tree with one of `leaves` (32 bytes each, concatenated) and the chain's
  // subtree `roots` (zero for one to hash here).
  setGroup({ id, leaves, roots }) {
    groups.get(id)?.free();
    groups.set(id, new Group(leaves, roots));
    return summary(id);
  },
  // The tree the page stored (Group.toBytes) for `size` leaves.
  importGroup({ id, size, bytes }) {
    const tree = Group.fromBytes(size, bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
    groups.get(id)?.free();
    groups.set(id, tree);
    return summary(id);
  },
  // The roots of the subtrees of `leaves`, kept nowhere: part of a large group hashed beside
  // the others (tree-builder.js).
  subtreeRoots({ leaves }) {
    return Group.subtreeRoots(leaves);
  },
  exportGroup({ id }) {
    return group(id).toBytes();
  },
  // The chain's leaves from `from` (a multiple of 4,096) on, and its subtree roots from there:
  // refused when the leaves read again are not the tree's.
  updateGroup({ id, from, leaves, roots }) {
    group(id).update(from, leaves, roots);
    return summary(id);
  },
  // Whether the subtrees at these indices hash to the tree's roots for them.
  subtreesMatch({ id, subtrees }) {
    return group(id).subtreesMatch(Uint32Array.from(subtrees));
  },
  indexOf({ id, commitment }) {
    return group(id).indexOf(commitment) ?? null;
  },
  commitment({ privateKey }) {
    return identityCommitment(privateKey);
  },
  nullifier({ privateKey, genesisHash, proposal, callHash }) {
    return vetoNullifier(privateKey, genesisHash, proposal, callHash);
  },
  proveVeto({ id, privateKey, genesisHash, proposal, callHash }) {
    if (!prover) throw new Error("no proving key is loaded");
    const started = performance.now();
    const veto = prover.proveVeto(group(id), privateKey, genesisHash, proposal, callHash);
    return { veto, milliseconds: Math.round(performance.now() - started) };
  },
};

// One request at a time: the handlers do not yield, so a request waits in the queue until the
// one before it is done. `began` tells the page how long it waited.
self.onmessage = async ({ data: { id, method, params } }) => {
  let began;
  try {
    await ready;
    began = performance.timeOrigin + performance.now();
    const result = await handlers[method](params);
    // Large byte strings (a whole tree) go back without a copy.
    self.postMessage({ id, result, began }, result instanceof Uint8Array ? [result.buffer] : []);
  } catch (err) {
    self.postMessage({ id, error: String(err?.message ?? err), began });
  }
};
