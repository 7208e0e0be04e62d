// The tree the desk makes from leaves and subtree roots (src/tree-builder.js) is the tree
// hashed in one piece: roots hashed apart in contiguous runs (as the workers hash them) are the
// roots hashed together, for every size and split around the edges (a last subtree of one leaf,
// full and partial last subtrees, runs of one subtree, gaps between missing ones); a root
// given wrong changes the root, and a missing one is found. Runs in Node with the prover's
// WebAssembly, each run hashed here rather than in a worker.
//
//   node tests/tree-builder.test.mjs
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { Group, initSync } from "../dist/pkg/teo_browser_prover.js";
import { SUBTREE_LEAVES, fillMissingRoots, missingRoots } from "../src/tree-builder.js";

const here = dirname(fileURLToPath(import.meta.url));
initSync({ module: readFileSync(join(here, "..", "dist", "pkg", "teo_browser_prover_bg.wasm")) });

const leafBytes = (size) => {
  const bytes = new Uint8Array(size * 32);
  for (let i = 0; i < size; i++) new DataView(bytes.buffer).setUint32(i * 32 + 28, i * 2654435761 + 1);
  return bytes;
};
const rootOf = (leaves, roots) => {
  const tree = new Group(leaves, roots);
  try {
    return { root: tree.root(), hashed: tree.hashedSubtrees() };
  } finally {
    tree.free();
  }
};

let cases = 0;
for (const size of [1, 1023, 1024, 1025, 3 * 1024, 5 * 1024 + 1, 9 * 1024 - 7]) {
  const leaves = leafBytes(size);
  const subtrees = Math.ceil(size / SUBTREE_LEAVES);
  const whole = rootOf(leaves, new Uint8Array(0));
  assert.equal(whole.hashed, subtrees);
  const all = Group.subtreeRoots(leaves);
  assert.equal(all.length, subtrees * 32);
  assert.deepEqual(rootOf(leaves, all), { root: whole.root, hashed: 0 }, `${size}: every root given`);
  for (const runs of [1, 2, 3, 8]) {
    // Every root missing, then every other one.
    for (const keep of [() => false, (j) => j % 2 === 1]) {
      const roots = new Uint8Array(all.length);
      for (let j = 0; j < subtrees; j++) if (keep(j)) roots.set(all.subarray(j * 32, j * 32 + 32), j * 32);
      const missing = missingRoots(roots, subtrees);
      assert.deepEqual(missing, [...Array(subtrees).keys()].filter((j) => !keep(j)));
      const filled = await fillMissingRoots(leaves, roots, missing, runs, async (k, part) => Group.subtreeRoots(part));
      assert.deepEqual(filled, all, `${size} leaves, ${runs} runs`);
      cases++;
    }
  }
  if (subtrees > 1) {
    const wrong = all.slice();
    wrong[63] ^= 1;
    assert.notDeepEqual(rootOf(leaves, wrong).root, whole.root, `${size}: a wrong root`);
  }
}
assert.deepEqual(missingRoots(new Uint8Array(32), 3), [0, 1, 2], "roots short of the subtrees are missing");
console.log(`[tree-builder] passed: ${cases} sizes and splits give the tree hashed in one piece`);
