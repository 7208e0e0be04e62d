// The mesh end to end: three teo-mesh services, one beside each validator, in a line
// (A <- B <- C), each signing for one agent that Alice sponsors. Each service's operator issues
// its agent a token (`teo-mesh token issue`); every call below carries it.
//  0. The agents' API refuses a request without a token and one from a web page with it.
//  1. A draft published through A's JSON-RPC reaches a subscriber of C, validated on the way.
//  2. B's agent publishes 64 KiB drafts until its budget is spent; the next one is refused
//     before signing, and B's budget reads zero left.
//  3. Two example agents in Python (examples/agents/agent.py, a plain WebSocket JSON-RPC client):
//     Dave's, at A, drafts a treasury spend; Ferdie's, at C, endorses it over the mesh; with the
//     endorsement Dave's submits it through mesh_submitPullRequest: it lands in the commit gate
//     and, after the timelock, is committed by the chain. The agents build every message on the
//     head of the ledger of commits (rule C): while the pull request waits, the service lists it
//     among the pending proposals; once it is committed, the commits since the old head name it,
//     and a message built on the old head is refused before signing.
//     While it waits out its timelock, chaos: A is killed (SIGKILL) and restarted on its base
//     path, then killed again and restarted without its ledger (a lost disk: its peer's memory
//     is gone too), and Bob's validator node, which B follows, is killed and restarted from its
//     database. Dave's agent carries on past its own messages every time (its peers tell the
//     restarted service what it signed), nobody finds evidence against it, negotiation goes on
//     through the outage, and B's view of the chain recovers.
//  4. The runtime is upgraded through the gate while the services run (lib/upgrade.js: an agent
//     proposes the new code, the chain commits it, anyone applies it; a proposal pending across
//     the upgrade is committed by the new runtime). The services check the new runtime's
//     metadata, find its encodings unchanged, and keep serving: a draft from A reaches C again.
//  5. Two more services, D and E, both hold the key of a fourth agent, Mallory, with separate
//     ledgers, and both publish for her at the same moment: neither has seen the other's
//     message when it signs (a service that has moves its ledger past it instead), so the two
//     conflict; the conflict is caught, gossiped as evidence (A's subscriber sees it) and
//     reported on chain by a service, where Mallory is punished: the mesh validates and submits
//     under the new runtime.
// Every mesh process is stopped at the end. Returns 1 when every step behaves; 0 otherwise.

const { spawn, spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { WsProvider } = require("@polkadot/api");
const { keyring, signAndFinalize, waitFor, withApi, finalizedNumber, sleep, ensureVerified } =
  require("./lib/teo");
const { upgradeThroughTheGate } = require("./lib/upgrade");

const CITIZENS = 0;
const AGENTS = ["//Dave", "//Eve", "//Ferdie"];
const MALLORY = "//Alice//mallory";

/** Starts a service for `agentSuri` with a token issued for it, as its operator would. */
function startMesh(dir, index, nodeWs, bootnode, agentSuri = AGENTS[index]) {
  const basePath = path.join(dir, `mesh-${index}`);
  const agent = keyring().addFromUri(agentSuri).address;
  const issued = spawnSync("teo-mesh", ["token", "issue", "--agent", agent, "--label", `e2e-${index}`, "--base-path", basePath],
    { encoding: "utf8" });
  if (issued.status !== 0) throw new Error(`teo-mesh token issue: ${issued.stderr}`);
  const token = issued.stdout.trim();
  const args = [
    "--node-url", nodeWs,
    "--listen", `/ip4/127.0.0.1/tcp/${30560 + index}`,
    "--rpc-port", `${9960 + index}`,
    "--metrics-port", `${9970 + index}`,
    "--agent-suri", agentSuri,
    "--base-path", basePath,
  ];
  if (bootnode) args.push("--bootnode", bootnode);
  const mesh = { args, basePath, log: path.join(dir, `mesh-${index}.log`), rpc: `ws://127.0.0.1:${9960 + index}`, token };
  mesh.child = spawnMesh(mesh);
  return mesh;
}

function spawnMesh(mesh) {
  const log = fs.openSync(mesh.log, "a");
  return spawn("teo-mesh", mesh.args, { stdio: ["ignore", log, log], env: { ...process.env, RUST_LOG: "info,libp2p=warn" } });
}

/** Waits for `child` to have exited. */
function exited(child) {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", resolve)));
}

/**
 * Kills `mesh` at once (SIGKILL: nothing flushed, as in a power cut) and starts it again on its
 * base path, with `bootnode` (an operator's restarted service dials its peers), after deleting
 * its ledger when `loseLedger` (a lost disk: its peer's memory is gone too).
 */
async function crashAndRestart(mesh, bootnode, loseLedger) {
  mesh.child.kill("SIGKILL");
  await exited(mesh.child);
  if (loseLedger) fs.rmSync(path.join(mesh.basePath, "ledger.json"));
  if (!mesh.args.includes("--bootnode")) mesh.args.push("--bootnode", bootnode);
  mesh.child = spawnMesh(mesh);
}

/**
 * The teo-node process whose RPC listens on `wsUri` (zombienet's native provider runs one per
 * node; other lanes' networks run nodes of the same names), with what it takes to start it
 * again: its arguments, environment and working directory.
 */
function nodeProcess(wsUri) {
  const port = new URL(wsUri).port;
  for (const pid of fs.readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
    let args;
    try {
      args = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    } catch (_) {
      continue;
    }
    const at = args.indexOf("--rpc-port");
    if (!path.basename(args[0] || "").startsWith("teo-node") || at < 0 || args[at + 1] !== port) continue;
    const env = {};
    for (const entry of fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter(Boolean)) {
      const eq = entry.indexOf("=");
      env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    return { pid: Number(pid), args, env, cwd: fs.readlinkSync(`/proc/${pid}/cwd`) };
  }
  throw new Error(`no teo-node serves ${wsUri}`);
}

/** Runs a process to its end without blocking the event loop; kills it after `timeoutMs`. */
function runProcess(command, args, timeoutMs, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, options);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** The peer id a mesh logged at start. */
async function peerIdOf(mesh) {
  return waitFor(`the peer id of ${mesh.rpc}`, 60_000, async () => {
    const match = fs.readFileSync(mesh.log, "utf8").match(/peer_id\S*=\S*?(12D3Koo\w+)/);
    return match && match[1];
  });
}

async function rpc(mesh) {
  const provider = new WsProvider(mesh.rpc, 1000, { Authorization: `Bearer ${mesh.token}` });
  await provider.isReady;
  return provider;
}

/** The HTTP status of a `mesh_health` call to `mesh` with these headers. */
async function httpStatus(mesh, headers) {
  const response = await fetch(mesh.rpc.replace("ws://", "http://"), {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "mesh_health", params: [] }),
  });
  return response.status;
}

async function run(nodeName, networkInfo) {
  const names = ["alice", "bob", "charlie"];
  const wsUri = networkInfo.nodesByName[nodeName].wsUri;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "teo-mesh-e2e-"));
  const meshes = [];
  const providers = [];
  const children = [];
  const apis = [];
  // Whatever ends this script, the processes it started end with it (a validator it restarted
  // is no longer zombienet's to stop).
  const stopAll = () => [...children, ...meshes.map((mesh) => mesh.child)].forEach((child) => child.kill("SIGKILL"));
  process.once("exit", stopAll);
  try {
    return await withApi(wsUri, "mesh", async (firstApi) => {
      let api = firstApi;
      const ring = keyring();
      const alice = ring.addFromUri("//Alice");
      await ensureVerified(api, wsUri, "//Alice", alice.address, "mesh");
      const agents = [...AGENTS, MALLORY].map((seed) => ring.addFromUri(seed));
      for (const agent of agents) {
        if ((await api.call.actionBudgetApi.agent(agent.address)).isNone) {
          await signAndFinalize(api, api.tx.actionBudget.registerAgent(agent.address), alice);
        }
      }

      // Three services in a line.
      const meshIds = [];
      for (let i = 0; i < 3; i++) {
        const bootnode = i > 0 && `/ip4/127.0.0.1/tcp/${30560 + i - 1}/p2p/${meshIds[i - 1]}`;
        meshes.push(startMesh(dir, i, networkInfo.nodesByName[names[i]].wsUri, bootnode));
        meshIds.push(await peerIdOf(meshes[i]));
      }
      for (const mesh of meshes) providers.push(await rpc(mesh));
      for (const [i, provider] of providers.entries()) {
        await waitFor(`mesh ${i} to know its agent's budget and a peer`, 120_000, async () => {
          try {
            const budget = await provider.send("mesh_budget", []);
            const health = await provider.send("mesh_health", []);
            return budget.remaining > 0 && health.peers > 0;
          } catch (_) {
            return false;
          }
        });
      }
      console.log(`[mesh] three services up, in a line, in ${dir}`);

      // 0. Only the token's holder is served, and never from a web page.
      const bearer = { authorization: `Bearer ${meshes[0].token}` };
      const statuses = {
        token: await httpStatus(meshes[0], bearer),
        none: await httpStatus(meshes[0], {}),
        another: await httpStatus(meshes[0], { authorization: `Bearer ${meshes[1].token}` }),
        page: await httpStatus(meshes[0], { ...bearer, origin: "https://evil.example" }),
      };
      if (statuses.token !== 200 || statuses.none !== 401 || statuses.another !== 401 || statuses.page !== 403) {
        throw new Error(`the agents' API let the wrong callers in: ${JSON.stringify(statuses)}`);
      }
      console.log(`[mesh] A serves its token (200); no token, B's token: 401; a web page: 403`);

      // 1. Propagation across the line, to a subscriber at the far end.
      const received = [];
      await providers[2].subscribe("mesh_message", "mesh_subscribe", [CITIZENS, "draft"], (err, item) => {
        if (!err) received.push(item);
      });
      const draftAcrossTheLine = async (body) => {
        let published;
        await waitFor("a draft from A to reach C", 60_000, async () => {
          if (!published) published = await providers[0].send("mesh_publish", [CITIZENS, "draft", body]);
          return received.find((item) => item.id === published.id);
        });
        const item = received.find((i) => i.id === published.id);
        if (item.agent !== agents[0].address || item.body !== body) throw new Error(`C received ${JSON.stringify(item)}`);
        return published;
      };
      const published = await draftAcrossTheLine(JSON.stringify({ proposal: "pave the square", by: "Dave" }));
      console.log(`[mesh] A -> C: draft ${published.id} (seq ${published.seq}, cost ${published.cost}) delivered with Dave's signature checked at B and C`);

      // 2. Spending a budget to the end, refused before signing.
      const big = "x".repeat(64 * 1024);
      let refusal;
      for (let i = 0; i < 200 && !refusal; i++) {
        try {
          await providers[1].send("mesh_publish", [CITIZENS, "simulation", big]);
        } catch (err) {
          refusal = String(err.message);
        }
      }
      if (!refusal || !refusal.includes("refused before signing")) throw new Error(`no refusal: ${refusal}`);
      const spent = await providers[1].send("mesh_budget", []);
      console.log(`[mesh] B's agent spent its budget: ${refusal}; remaining ${spent.remaining} of ${spent.allowance}`);

      // 3. Agents negotiate in Python; the proposer's pull request goes to the commit gate.
      const headBefore = await providers[0].send("mesh_commitRoot", []);
      const spend = api.tx.treasury.spend(null, 1_000_000_000_000n, alice.address, null);
      const agentScript = path.join(process.env.TEO_ROOT, "examples/agents/agent.py");
      const python = path.join(process.env.TEO_VENV, "bin/python");
      // The token in the environment, not in argv where every user of the machine reads it.
      const tokenEnv = (mesh) => ({ env: { ...process.env, TEO_MESH_TOKEN: mesh.token } });
      const endorser = spawn(python, [agentScript, "--url", meshes[2].rpc, "--endorse", "--run-for", "150"], tokenEnv(meshes[2]));
      let endorserOutput = "";
      endorser.stdout.on("data", (chunk) => (endorserOutput += chunk));
      children.push(endorser);
      await sleep(2000);
      const proposer = await runProcess(python, [agentScript, "--url", meshes[0].rpc, "--propose", spend.method.toHex(),
        "--summary", "Mesh: 1 TEO to Alice", "--quorum", "1", "--exit-after-pull-request", "--run-for", "120"], 150_000,
        tokenEnv(meshes[0]));
      console.log(`[mesh] proposer agent:\n${proposer.stdout}${proposer.stderr}`);
      console.log(`[mesh] endorser agent:\n${endorserOutput}`);
      const submitted = /pull request submitted: (\{.*\})/.exec(proposer.stdout || "");
      if (proposer.status !== 0 || !submitted) throw new Error("the Python proposer did not submit a pull request");
      const status = JSON.parse(submitted[1]);
      if (status.error || status.proposalId === null) throw new Error(`the pull request failed: ${submitted[1]}`);
      console.log(`[mesh] pull request ${status.proposalId} in block ${status.block}, unlocks at ${status.unlockAt}`);
      await waitFor(`pull request ${status.proposalId} among A's pending proposals`, 60_000, async () =>
        (await providers[0].send("mesh_pendingProposals", [CITIZENS])).some((p) => p.id === status.proposalId));

      // Chaos while the pull request waits out its timelock.
      const chaosEvidence = [];
      await providers[2].subscribe("mesh_message", "mesh_subscribe", [CITIZENS, "evidence"], (err, item) => {
        if (!err) chaosEvidence.push(item);
      });
      // A service that is starting refuses for now (`retry`); anything else is an answer. Sent
      // once the service has gossip peers: published into an empty mesh, a message reaches
      // nobody, and nobody could tell a restarted service about it.
      const poll = (i, text) => waitFor(`mesh ${i} to publish "${text}"`, 90_000, async () => {
        try {
          const peers = await providers[i].send("mesh_peers", []);
          if (!peers.some((peer) => peer.topics.length > 0)) return false;
          return await providers[i].send("mesh_publish", [CITIZENS, "poll", text]);
        } catch (err) {
          if (err.data && err.data.retry === false) throw new Error(`mesh ${i} refused "${text}": ${err.message}`);
          return false;
        }
      });
      const carriesOn = (before, after) => after.epoch !== before.epoch || after.seq === before.seq + 1;
      const toB = `/ip4/127.0.0.1/tcp/30561/p2p/${meshIds[1]}`;
      const beforeCrash = await poll(0, "chaos: before the crash");
      await crashAndRestart(meshes[0], toB, false);
      const afterCrash = await poll(0, "chaos: after the crash");
      await crashAndRestart(meshes[0], toB, true);
      const afterLoss = await poll(0, "chaos: after the ledger was lost");
      if (!carriesOn(beforeCrash, afterCrash) || !carriesOn(afterCrash, afterLoss)) {
        throw new Error(`A's agent did not carry on: ${JSON.stringify([beforeCrash, afterCrash, afterLoss])}`);
      }
      console.log(`[mesh] A killed and restarted twice, the second time without its ledger: Dave's agent signed ` +
        `seq ${beforeCrash.seq}, ${afterCrash.seq}, ${afterLoss.seq} (epochs ${beforeCrash.epoch}, ${afterCrash.epoch}, ${afterLoss.epoch})`);
      const bob = nodeProcess(networkInfo.nodesByName.bob.wsUri);
      const viewBefore = (await providers[1].send("mesh_health", [])).finalizedNumber;
      process.kill(bob.pid, "SIGKILL");
      await waitFor("Bob's node to be gone", 30_000, async () => {
        try {
          return fs.readFileSync(`/proc/${bob.pid}/stat`, "utf8").split(" ")[2] === "Z";
        } catch (_) {
          return true;
        }
      });
      const duringOutage = await poll(2, "chaos: while Bob's node is down");
      await sleep(5000);
      const bobLog = fs.openSync(path.join(dir, "bob-restarted.log"), "a");
      children.push(spawn(bob.args[0], bob.args.slice(1), { cwd: bob.cwd, env: bob.env, stdio: ["ignore", bobLog, bobLog] }));
      const recovered = await waitFor("B's view of the chain to recover", 120_000, async () => {
        try {
          const health = await providers[1].send("mesh_health", []);
          return !health.chainStale && health.finalizedNumber > viewBefore + 1 && health;
        } catch (_) {
          return false;
        }
      });
      const accused = chaosEvidence.filter((e) => e.agent === agents[0].address);
      if (accused.length) throw new Error(`evidence against Dave's agent: ${JSON.stringify(accused)}`);
      console.log(`[mesh] Bob's node killed and restarted from its database: C published seq ${duringOutage.seq} meanwhile; ` +
        `B's view went from block ${viewBefore} to ${recovered.finalizedNumber}; no evidence against Dave's agent`);
      await waitFor(`the commit of proposal ${status.proposalId}`, 180_000, async () => {
        const { number } = await finalizedNumber(api);
        return number >= status.unlockAt && (await api.call.commitGateApi.proposal(status.proposalId)).isNone;
      });
      const hash = await api.rpc.chain.getBlockHash(status.unlockAt);
      const events = await (await api.at(hash)).query.system.events();
      const committed = events.map(({ event }) => event)
        .find((e) => e.section === "commitGate" && e.method === "Committed" && e.data.id.toNumber() === status.proposalId);
      if (!committed || !committed.data.result.isOk) throw new Error("the pull request was not committed successfully");
      console.log(`[mesh] pull request ${status.proposalId} committed at block ${status.unlockAt}`);
      // Rule C through the agents' API: the head moved, the commits since the old head name
      // the pull request, and a message built on the old head is refused before signing.
      let head;
      await waitFor("A's ledger head to pass the commit", 60_000, async () =>
        (head = await providers[0].send("mesh_commitRoot", [])).count > headBefore.count);
      const since = await providers[0].send("mesh_commitsSince", [headBefore.root]);
      const mine = since.commits.find((c) => c.proposalId === status.proposalId);
      if (!mine || !mine.succeeded || since.commits[since.commits.length - 1].root !== since.head.root) {
        throw new Error(`the commits since ${headBefore.root}: ${JSON.stringify(since)}`);
      }
      let stale;
      try {
        await providers[0].send("mesh_publish", [CITIZENS, "poll", "built on the old head", null, headBefore.root]);
      } catch (err) {
        stale = (err.data && err.data.reason) || String(err.message);
      }
      if (!stale || !(stale === "stale_commit_root" || stale.includes("moved past"))) {
        throw new Error(`a message on the old head: ${stale}`);
      }
      const onHead = await providers[0].send("mesh_publish", [CITIZENS, "poll", "built on the head", null, head.root]);
      console.log(`[mesh] head ${headBefore.count} -> ${head.count} commits; the commits since name proposal ${status.proposalId}; ` +
        `a message on the old head refused (${stale}); on the new head published (seq ${onHead.seq})`);

      // 4. A runtime upgrade through the gate, under the running services.
      const upgraded = await upgradeThroughTheGate(api, wsUri, {
        proposer: agents[0], survivor: agents[2], applier: ring.addFromUri("//Charlie"), label: "mesh",
      });
      const { before, after } = upgraded;
      apis.push(upgraded.api);
      // The connection made before the upgrade misdecodes after it (lib/upgrade.js).
      api = upgraded.api;
      // Each service checked the new runtime's metadata, found its encodings unchanged, and
      // serves on.
      for (const [i, mesh] of meshes.entries()) {
        await waitFor(`mesh ${i} to check runtime ${after}`, 60_000, async () =>
          // eslint-disable-next-line no-control-regex
          fs.readFileSync(mesh.log, "utf8").replace(/\x1b\[[0-9;]*m/g, "")
            .includes(`encodes what this mesh was built for spec_version=${after}`));
        if (mesh.child.exitCode !== null) throw new Error(`mesh ${i} stopped after the upgrade (exit ${mesh.child.exitCode}): see ${mesh.log}`);
      }
      // Proposal 2 was committed just before: a draft built on the new commit head is ignored by
      // a relay that has not seen that commit yet (rule C), so wait until the three services
      // agree on the chain's head, as an agent that wants its draft carried would.
      const finalized = await api.rpc.chain.getFinalizedHead();
      const [, commitCount] = await (await api.at(finalized)).call.commitGateApi.commitRoot();
      const bounded = (promise) => Promise.race([promise, new Promise((_, reject) =>
        setTimeout(() => reject(new Error("a mesh service did not answer within 10 s")), 10_000))]);
      await waitFor("the three services to agree on the commit head", 60_000, async () => {
        const heads = await Promise.all(providers.map((provider) => bounded(provider.send("mesh_commitRoot", []))));
        return heads.every((h) => h.count >= commitCount.toNumber() && h.root === heads[0].root && h.count === heads[0].count);
      });
      const again = await draftAcrossTheLine(JSON.stringify({ proposal: "pave the square again", by: "Dave", spec: after }));
      console.log(`[mesh] after the upgrade (spec ${before} -> ${after}) the services still serve: draft ${again.id} A -> C`);

      // 5. One agent, two services with separate ledgers: an equivocation, caught and punished.
      const mallory = agents[3];
      const evidence = [];
      await providers[0].subscribe("mesh_message", "mesh_subscribe", [CITIZENS, "evidence"], (err, item) => {
        if (!err) evidence.push(item);
      });
      const rogues = [3, 4].map((i) => startMesh(dir, i, wsUri, `/ip4/127.0.0.1/tcp/30560/p2p/${meshIds[0]}`, MALLORY));
      meshes.push(...rogues);
      const rogueProviders = [];
      for (const rogue of rogues) {
        const provider = await rpc(rogue);
        providers.push(provider);
        rogueProviders.push(provider);
        await waitFor("a rogue service to know Mallory's budget", 120_000, async () => {
          try {
            return (await provider.send("mesh_budget", [])).remaining > 0 && (await provider.send("mesh_health", [])).peers > 0;
          } catch (_) {
            return false;
          }
        });
      }
      for (let attempt = 0; attempt < 3 && !evidence.length; attempt++) {
        // At once: a service that has seen the other's message before signing would sign past
        // it. Different bodies: the same header twice would be one message, not a conflict.
        await Promise.all(rogueProviders.map((provider, i) =>
          provider.send("mesh_publish", [CITIZENS, "poll", `Mallory's poll ${attempt} via ${i}`]).catch((err) =>
            console.log(`[mesh] a rogue service refused to sign: ${err.message}`))));
        await waitFor("evidence at A", 20_000, async () => evidence.length > 0).catch(() => {});
      }
      const caught = evidence.find((e) => e.agent === mallory.address);
      if (!caught) throw new Error(`no evidence about Mallory reached A: ${JSON.stringify(evidence)}`);
      console.log(`[mesh] evidence at A: Mallory equivocated in epoch ${caught.epoch}`);
      await waitFor("Mallory's punishment on chain", 120_000, async () => {
        const record = await api.call.actionBudgetApi.agent(mallory.address);
        return record.isSome && record.unwrap().punishedEpochs.length > 0;
      });
      const record = (await api.call.actionBudgetApi.agent(mallory.address)).unwrap();
      console.log(`[mesh] Mallory punished on chain for epochs ${record.punishedEpochs.toString()}; deposit now ${record.deposit.toString()}`);
      // The chaos of step 3 left no mark on the honest agent.
      const daveRecord = (await api.call.actionBudgetApi.agent(agents[0].address)).unwrap();
      if (daveRecord.punishedEpochs.length > 0) throw new Error(`Dave's agent was punished: ${daveRecord.toString()}`);
      return 1;
    });
  } finally {
    for (const provider of providers) await provider.disconnect().catch(() => {});
    for (const extra of apis) await extra.disconnect().catch(() => {});
    for (const child of children) child.kill("SIGINT");
    for (const mesh of meshes) mesh.child.kill("SIGINT");
    process.removeListener("exit", stopAll);
  }
}

module.exports = { run };
