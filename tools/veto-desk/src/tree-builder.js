// A group's tree made in the prover's worker from its leaves and the chain's subtree roots.
// With every root given, that is one hash per subtree. Where many are missing (a chain that
// did not keep them when those subtrees filled, or roots that did not add up to the chain's
// root and are hashed again), they are hashed on every core the browser offers: contiguous
// runs of whole subtrees, each in a worker of its own.
import { ProverClient } from "./prover.js";

/** The leaves under each of the chain's subtree roots: 2^10, teo-zk's `SUBTREE_DEPTH`. */
export const SUBTREE_LEAVES = 1024;

/** Below this many leaves to hash, one worker is faster than starting others. */
const PARALLEL_FROM = 1 << 14;
/** At most this many workers, whatever the browser reports. */
const MAX_WORKERS = 8;

/** Makes the tree of `leaves` (32 bytes each) in the prover's worker as group `id`, with the
 * chain's subtree `roots` (32 bytes each, zero for one to hash here); resolves with the
 * worker's { root, size, hashed }. `waited`: as in `ProverClient.call`. */
export async function buildTree(prover, id, leaves, roots, waited = null) {
  const size = leaves.length / 32;
  const subtrees = Math.ceil(size / SUBTREE_LEAVES);
  const missing = missingRoots(roots, subtrees);
  const workers = Math.min(globalThis.navigator?.hardwareConcurrency ?? 1, MAX_WORKERS);
  if (missing.length * SUBTREE_LEAVES < PARALLEL_FROM || workers < 2) {
    return prover.call("setGroup", { id, leaves, roots }, [leaves.buffer, roots.buffer], waited);
  }
  const pool = Array.from({ length: Math.min(workers, missing.length) }, () => new ProverClient());
  let filled;
  try {
    filled = await fillMissingRoots(leaves, roots, missing, pool.length, (k, part) =>
      pool[k].call("subtreeRoots", { leaves: part }, [part.buffer]));
  } finally {
    for (const worker of pool) worker.terminate();
  }
  const tree = await prover.call("setGroup", { id, leaves, roots: filled }, [leaves.buffer, filled.buffer], waited);
  return { ...tree, hashed: tree.hashed + missing.length };
}

/** The indices of the subtrees among the first `subtrees` whose root is zero or absent. */
export function missingRoots(roots, subtrees) {
  const missing = [];
  for (let j = 0; j < subtrees; j++) {
    if (j * 32 >= roots.length || roots.subarray(j * 32, j * 32 + 32).every((byte) => byte === 0)) missing.push(j);
  }
  return missing;
}

/** `roots` with the `missing` ones hashed from `leaves`: the missing subtrees split into `runs`
 * contiguous runs, whole subtrees each (so that a run's first leaf starts one), and run `k`'s
 * leaves hashed by `hashRun(k, leaves)` (a worker's `subtreeRoots`). */
export async function fillMissingRoots(leaves, roots, missing, runs, hashRun) {
  const size = leaves.length / 32;
  const filled = new Uint8Array(Math.ceil(size / SUBTREE_LEAVES) * 32);
  filled.set(roots.subarray(0, Math.min(roots.length, filled.length)));
  const per = Math.ceil(missing.length / runs);
  const parts = [];
  for (let k = 0; k < missing.length; k += per) parts.push(missing.slice(k, k + per));
  await Promise.all(parts.map(async (run, k) => {
    // The run's span: from its first missing subtree to its last, those between included.
    const [first, last] = [run[0], run[run.length - 1]];
    const part = leaves.slice(first * SUBTREE_LEAVES * 32, Math.min(size, (last + 1) * SUBTREE_LEAVES) * 32);
    const hashed = await hashRun(k, part);
    for (const j of run) filled.set(hashed.subarray((j - first) * 32, (j - first + 1) * 32), j * 32);
  }));
  return filled;
}
