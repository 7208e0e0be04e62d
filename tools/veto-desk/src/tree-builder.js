// A large group's tree hashed on every core the browser offers: the leaves are cut into
// aligned chunks of 2^m, each hashed in a worker of its own, and the levels above the chunks'
// roots hashed last. In a LeanIMT every node covers an aligned range of leaves, so the nodes
// below level m are exactly the chunks' own nodes (a chunk's lone root is copied up, as the
// whole tree copies it), and the tree is the same, node for node, as one hashed in one piece.
import { ProverClient } from "./prover.js";

/** Below this many leaves one worker is faster than starting others. */
const PARALLEL_FROM = 1 << 14;
/** At most this many workers, whatever the browser reports. */
const MAX_WORKERS = 8;

/** Builds the tree of `leaves` (32 bytes each) in the prover's worker as group `id`, hashed in
 * parallel where it pays; resolves with the worker's { root, size }. `waited`: as in
 * `ProverClient.call`. */
export async function buildTree(prover, id, leaves, waited = null) {
  const size = leaves.length / 32;
  const workers = Math.min(globalThis.navigator?.hardwareConcurrency ?? 1, MAX_WORKERS);
  if (size < PARALLEL_FROM || workers < 2) {
    return prover.call("setGroup", { id, leaves }, [leaves.buffer], waited);
  }
  // Rounded down: at least one chunk per worker whatever the size (2^20 + 1 leaves on eight
  // workers are eight chunks and a leaf, not four chunks and a leaf).
  const chunk = 2 ** Math.floor(Math.log2(size / workers));
  const pool = Array.from({ length: workers }, () => new ProverClient());
  try {
    const chunks = await Promise.all(Array.from({ length: Math.ceil(size / chunk) }, (_, j) => {
      const part = leaves.slice(j * chunk * 32, Math.min(size, (j + 1) * chunk) * 32);
      return pool[j % workers].call("treeBytes", { leaves: part }, [part.buffer]);
    }));
    const lower = chunkLevels(chunks, size, chunk);
    const upper = await pool[0].call("treeBytes", { leaves: lower.roots }, [lower.roots.buffer]);
    const bytes = new Uint8Array(lower.bytes.length + upper.length);
    bytes.set(lower.bytes);
    bytes.set(upper, lower.bytes.length);
    return await prover.call("importGroup", { id, size, bytes }, [bytes.buffer], waited);
  } finally {
    for (const worker of pool) worker.terminate();
  }
}

/** The levels under the chunks' roots, from the chunks' own trees (`Group.toBytes` of each,
 * in order; chunks of `chunk` leaves but the last), and the roots themselves: the level the
 * upper tree is built from. */
export function chunkLevels(chunks, size, chunk) {
  const m = Math.log2(chunk);
  // Each chunk's levels: [offset, width] of each, the leaves first, the root last.
  const layouts = chunks.map((bytes, j) => {
    let width = Math.min(chunk, size - j * chunk);
    let offset = 0;
    const levels = [];
    for (;;) {
      levels.push([offset, width]);
      offset += width * 32;
      if (width <= 1) break;
      width = Math.ceil(width / 2);
    }
    if (offset !== bytes.length) throw new Error(`chunk ${j} has ${bytes.length} bytes, not ${offset}`);
    return levels;
  });
  const node = (j, level) => {
    const levels = layouts[j];
    const [offset, width] = levels[Math.min(level, levels.length - 1)];
    return chunks[j].subarray(offset, offset + width * 32);
  };
  let total = 0;
  for (let level = 0; level < m; level++) for (let j = 0; j < chunks.length; j++) total += node(j, level).length;
  const bytes = new Uint8Array(total);
  let at = 0;
  for (let level = 0; level < m; level++) {
    for (let j = 0; j < chunks.length; j++) {
      const part = node(j, level);
      bytes.set(part, at);
      at += part.length;
    }
  }
  const roots = new Uint8Array(chunks.length * 32);
  for (let j = 0; j < chunks.length; j++) roots.set(node(j, m), j * 32);
  return { bytes, roots };
}
