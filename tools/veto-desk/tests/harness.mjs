// What the desk's browser test and its scale benchmark share: loopback ports, child processes
// that stop with the harness, and signed transactions followed into a block.
import { spawn } from "node:child_process";
import { createServer } from "node:net";

/** A free TCP port on the loopback address. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a process (kept in `children`) and resolves once its output matches `ready`; rejects
 * if it exits first or is not ready within `timeoutMs`. */
export function startProcess(children, name, command, args, ready, { timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    // The tail of its output, for the error: a node's log grows without end.
    let output = "";
    let isReady = false;
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs / 1000} s:\n${output.slice(-2000)}`)), timeoutMs);
    const watch = (chunk) => {
      output = (output + chunk).slice(-65_536);
      if (!isReady && ready.test(output)) {
        isReady = true;
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout.on("data", watch);
    child.stderr.on("data", watch);
    child.on("error", (err) => reject(new Error(`${name} could not start: ${err.message}`)));
    child.on("exit", (code) => reject(new Error(`${name} exited (${code}):\n${output.slice(-2000)}`)));
  });
}

/** Stops every child (SIGTERM, then SIGKILL after 10 s) and resolves when all are gone: a
 * node must be gone before its folder is removed. */
export function stopAll(children) {
  return Promise.all(children.map((child) => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.on("exit", () => { clearTimeout(force); resolve(); });
    child.kill("SIGTERM");
  })));
}

/** Signs, sends and waits for `tx` in a block; rejects with the dispatch error. */
export function submitTx(api, tx, signer) {
  return new Promise((resolve, reject) => {
    let unsubscribe = () => {};
    tx.signAndSend(signer, ({ status, dispatchError, events }) => {
      if (dispatchError) {
        unsubscribe();
        const reason = dispatchError.isModule ? JSON.stringify(api.registry.findMetaError(dispatchError.asModule).name) : dispatchError.toString();
        reject(new Error(`${tx.method.section}.${tx.method.method} failed: ${reason}`));
      } else if (status.isInBlock) {
        unsubscribe();
        resolve({ block: status.asInBlock, events: events.map(({ event }) => event) });
      } else if (status.isInvalid || status.isDropped) {
        unsubscribe();
        reject(new Error(`${tx.method.section}.${tx.method.method}: ${status.type}`));
      }
    }).then((u) => { unsubscribe = u; }, reject);
  });
}
