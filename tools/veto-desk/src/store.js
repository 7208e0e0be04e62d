// The page's copy of each group's tree, in IndexedDB: every node, so that the next visit
// appends what changed instead of reading and hashing every leaf again. Keyed by chain
// (genesis hash) and group; nothing in it is secret (the tree is public), and the citizen's
// own leaf is not marked.
const DB = "teo-veto-desk";
const TREES = "trees";

function database() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(TREES);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(mode, body) {
  const db = await database();
  try {
    return await new Promise((resolve, reject) => {
      const transaction = db.transaction(TREES, mode);
      const request = body(transaction.objectStore(TREES));
      transaction.oncomplete = () => resolve(request?.result);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error ?? new Error("the stored tree's transaction was aborted"));
    });
  } finally {
    db.close();
  }
}

const key = (genesis, group) => `${genesis}/${group}`;

/** The stored tree of `group` on the chain of `genesis`: { size, root, bytes }, or undefined. */
export function loadTree(genesis, group) {
  return run("readonly", (trees) => trees.get(key(genesis, group)));
}

/** Stores `tree` ({ size, root, bytes }), replacing the one before. */
export function saveTree(genesis, group, tree) {
  return run("readwrite", (trees) => trees.put(tree, key(genesis, group)));
}

export function forgetTree(genesis, group) {
  return run("readwrite", (trees) => trees.delete(key(genesis, group)));
}
