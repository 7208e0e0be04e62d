// The page's side of the prover's worker: each call is a promise of the worker's answer.
const now = () => performance.timeOrigin + performance.now();

export class ProverClient {
  constructor() {
    this.worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    this.pending = new Map();
    this.next = 0;
    this.worker.onmessage = ({ data: { id, result, error, began } }) => {
      const call = this.pending.get(id);
      this.pending.delete(id);
      if (began !== undefined && call.waited) call.waited.ms += Math.max(0, began - call.sent);
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
   * megabytes at a million members). `waited` ({ ms }), if given, adds up the time the call
   * spent queued behind the worker's other work (it runs one request at a time: a tree taken
   * up while the dev key is regenerated waits for it), so that a step's own time can be told
   * from its wait. */
  call(method, params = {}, transfer = [], waited = null) {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, sent: now(), waited });
      this.worker.postMessage({ id, method, params }, transfer);
    });
  }
}
