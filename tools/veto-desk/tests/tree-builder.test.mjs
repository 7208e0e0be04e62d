// The tree hashed in chunks (src/tree-builder.js) is the tree hashed in one piece, node for
// node, for every size and chunk size around the edges: full and partial last chunks, a last
// chunk of one leaf, chunks of two. Runs in Node with the prover's WebAssembly.
//
//   node tests/tree-builder.test.mjs
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { Group, initSync } from "../dist/pkg/teo_browser_prover.js";
import { chunkLevels } from "../src/tree-builder.js";

const here = dirname(fileURLToPath(import.meta.url));
initSync({ module: readFileSync(join(here, "..", "dist", "pkg", "teo_browser_prover_bg.wasm")) });

const leafBytes = (size) => {
  const bytes = new Uint8Array(size * 32);
  for (let i = 0; i < size; i++) new DataView(bytes.buffer).setUint32(i * 32 + 28, i * 2654435761 + 1);
  return bytes;
};
const treeBytes = (leaves) => {
  const tree = new Group(leaves);
  try {
    return tree.toBytes();
  } finally {
    tree.free();
  }
};

let cases = 0;
for (const size of [3, 4, 5, 8, 9, 13, 64, 100, 513, 1000, 1025]) {
  const leaves = leafBytes(size);
  const whole = treeBytes(leaves);
  for (let chunk = 2; chunk < size; chunk *= 2) {
    const chunks = [];
    for (let start = 0; start < size; start += chunk) chunks.push(treeBytes(leaves.slice(start * 32, Math.min(size, start + chunk) * 32)));
    const { bytes, roots } = chunkLevels(chunks, size, chunk);
    const upper = treeBytes(roots);
    const joined = new Uint8Array(bytes.length + upper.length);
    joined.set(bytes);
    joined.set(upper, bytes.length);
    assert.deepEqual(joined, whole, `${size} leaves in chunks of ${chunk}`);
    // And the worker's import takes it as the same tree.
    const imported = Group.fromBytes(size, joined);
    assert.deepEqual(imported.root(), whole.slice(-32));
    imported.free();
    cases++;
  }
}
assert.throws(() => chunkLevels([new Uint8Array(64)], 4, 2), /chunk 0 has 64 bytes/);
console.log(`[tree-builder] passed: ${cases} sizes and chunkings give the tree hashed in one piece`);
