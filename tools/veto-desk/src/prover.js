// The page's side of the prover's worker: each call is a promise of the worker's answer.
export class ProverClient {
  constructor() {
    this.worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    this.pending = new Map();
    this.next = 0;
    this.worker.onmessage = ({ data: { id, result, error } }) => {
      const call = this.pending.get(id);
      this.pending.delete(id);
      if (error !== undefined) call.reject(new Error(error));
      else call.resolve(result);
    };
    this.worker.onerror = (event) => {
      for (const call of this.pending.values()) call.reject(new Error(`the prover stopped: ${event.message}`));
      this.pending.clear();
    };
  }

  /** `transfer`: buffers handed to the worker rather than copied (a stored tree is tens of
   * megabytes at a million members). */
  call(method, params = {}, transfer = []) {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, method, params }, transfer);
    });
  }
}
