// The page's side of the prover's worker: each call is a promise of the worker's answer.
const now = () => performance.timeOrigin + performance.now();

export class ProverClient {
  constructor() {
    this.worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    this.pending = new Map();
    this.next = 0;
    /** Milliseconds calls have spent queued behind others (the worker runs one at a time: a
     * tree taken up while the dev key is regenerated waits for it), so that a step's own
     * time can be told from its wait. */
    this.waitedMs = 0;
    this.worker.onmessage = ({ data: { id, result, error, began } }) => {
      const call = this.pending.get(id);
      this.pending.delete(id);
      if (began !== undefined) this.waitedMs += Math.max(0, began - call.sent);
      if (error !== undefined) call.reject(new Error(error));
      else call.resolve(result);
    };
    this.worker.onerror = (event) => {
      for (const call of this.pending.values()) call.reject(new Error(`the prover stopped: ${event.message}`));
      this.pending.clear();
    };
  }

  /** Stops the worker; calls still waiting are refused. */
  terminate() {
    this.worker.terminate();
    for (const call of this.pending.values()) call.reject(new Error("the prover was stopped"));
    this.pending.clear();
  }

  /** `transfer`: buffers handed to the worker rather than copied (a stored tree is tens of
   * megabytes at a million members). */
  call(method, params = {}, transfer = []) {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, sent: now() });
      this.worker.postMessage({ id, method, params }, transfer);
    });
  }
}
