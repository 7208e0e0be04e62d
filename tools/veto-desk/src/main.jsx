// The citizen's veto desk: the pending proposals of the citizen's groups with their calls
// decoded, a Semaphore identity kept in the browser, and the anonymous veto, proved in the page
// (a worker running TEO's prover as WebAssembly) and sent without an account.
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { u8aToHex } from "@polkadot/util";

import * as chain from "./chain.js";
import { ProverClient } from "./prover.js";
import * as store from "./store.js";
import { SUBTREE_LEAVES, buildTree } from "./tree-builder.js";
import * as vault from "./vault.js";

/** The depth of the insecure dev key, which dev and local chains verify with. */
const DEV_KEY_DEPTH = 20;

const prover = new ProverClient();

/** Where the desk connects and which key it proves with: the server's config.json (serve.mjs
 * --rpc, --proving-key). Never from the page's address: a link that pointed the desk at
 * another node would hand that node the citizen's questions and vetoes. */
async function loadConfig() {
  const response = await fetch("config.json");
  if (!response.ok) throw new Error(`the desk's server has no config.json (${response.status})`);
  return response.json();
}

/** An agent's summary as plain text: control and bidirectional-override characters, which
 * could make it read otherwise than it is, become visible replacement marks. */
function plainSummary(text) {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, "\ufffd");
}

/** A group's stored tree is rewritten at most this often as members are added (and at once
 * after a full read). */
const SAVE_EVERY_MS = 5 * 60 * 1000;
/** A stored tree is brought up to date from a multiple of this many leaves (a whole number of
 * the chain's subtrees): the node sees which block of 4,096 members a copy ends in, not its
 * size. */
const READ_BOUNDARY = 4096;
/** Subtrees checked at random against the node's roots after every read (as teo-citizen
 * does): four catch a node that changed half the subtrees 15 times in 16. */
const SAMPLED_SUBTREES = 4;

/** An unlocked identity locks itself after this long without a key press or a click. */
const IDLE_LOCK_MS = 15 * 60 * 1000;

/** "2 d 4 h", "3 h 10 min", "45 s": how long until `ms` from now. */
function duration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s % 60} s`;
  return `${s} s`;
}

const hexOrNull = (bytes) => (bytes ? u8aToHex(bytes) : null);

/** The locked state of `identity`, its private key's bytes overwritten first. */
function lock(identity) {
  identity.privateKey?.fill(0);
  return { state: "locked" };
}

const short = (text, n = 8) => (text.length > 2 * n + 3 ? `${text.slice(0, n + 2)}…${text.slice(-n)}` : text);

function App() {
  const [config, setConfig] = useState(null);
  const [api, setApi] = useState(null);
  const [connection, setConnection] = useState({ state: "connecting", text: "" });
  const [info, setInfo] = useState(null);
  const [heads, setHeads] = useState({ best: 0, finalized: 0 });
  const [key, setKey] = useState({ state: "loading", text: "Loading the proving key…" });
  const [identity, setIdentity] = useState({ state: vault.hasStoredIdentity() ? "locked" : "none" });
  const [groups, setGroups] = useState([]);
  const [syncs, setSyncs] = useState({});
  const [membership, setMembership] = useState({});
  const [proposals, setProposals] = useState([]);
  const [mine, setMine] = useState({});
  const [commits, setCommits] = useState(null);
  const [outcomes, setOutcomes] = useState([]);
  const [notices, setNotices] = useState([]);
  const [vetoes, setVetoes] = useState({});
  const synced = useRef(new Map());
  // The summaries of the proposals seen while the page is open: a commit names only its id.
  const summaries = useRef(new Map());
  const seen = useRef(null);

  // Connect, then follow the chain.
  useEffect(() => {
    let api;
    (async () => {
      let config;
      try {
        config = await loadConfig();
        setConfig(config);
        api = await chain.connect(config.rpc);
      } catch (err) {
        setConnection({ state: "error", text: `Cannot reach a node at ${config?.rpc ?? "(no configuration)"}: ${err.message ?? err}` });
        return;
      }
      const [name, blockTime] = await Promise.all([api.rpc.system.chain(), chain.blockTime(api)]);
      setInfo({ name: name.toString(), genesisHash: api.genesisHash.toU8a(), blockTime });
      setApi(api);
      setConnection({ state: "connected", text: config.rpc });
    })();
    return () => api?.disconnect();
  }, []);

  // The proving key: the chain's own, checked against the verifying key it holds.
  useEffect(() => {
    if (!api) return;
    (async () => {
      try {
        const wanted = config.provingKey;
        const depth = wanted ? wanted.depth : DEV_KEY_DEPTH;
        const onChain = await chain.readVerifyingKey(api, depth);
        if (!onChain) throw new Error(`this chain holds no verifying key for depth ${depth}`);
        let loaded;
        if (wanted) {
          setKey({ state: "loading", text: `Downloading the proving key (${wanted.url})…` });
          const response = await fetch(wanted.url);
          if (!response.ok) throw new Error(`the proving key is not available (${response.status})`);
          loaded = await prover.call("loadKey", { bytes: await response.arrayBuffer(), depth });
        } else {
          setKey({ state: "loading", text: "Regenerating the dev chains' insecure proving key…" });
          loaded = await prover.call("loadKey", { dev: true });
        }
        if (u8aToHex(loaded.verifyingKey) !== u8aToHex(onChain)) {
          throw new Error(wanted
            ? "this proving key is not the one the chain verifies with"
            : "this chain does not verify with the insecure dev key: serve its ceremony key (serve.mjs --proving-key final.zkey --depth 20)");
        }
        setKey({ state: "ready", text: `Proving key ready (trees of up to 2^${loaded.depth} members)`, depth: loaded.depth });
      } catch (err) {
        setKey({ state: "error", text: String(err.message ?? err) });
      }
    })();
  }, [api]);

  // New blocks: heads, proposals, commits and what happened to proposals.
  useEffect(() => {
    if (!api) return;
    let stop = [];
    (async () => {
      stop.push(await api.rpc.chain.subscribeNewHeads(async (header) => {
        setHeads((h) => ({ ...h, best: header.number.toNumber() }));
        const events = await (await api.at(header.hash)).query.system.events();
        const gate = events.map(({ event }) => event).filter((e) => e.section === "commitGate" && ["Killed", "Committed", "VetoedAnonymously", "Vetoed", "Withdrawn"].includes(e.method));
        if (gate.length) {
          setOutcomes((list) => [
            ...gate.map((e) => ({
              block: header.number.toNumber(),
              method: e.method,
              id: e.data.id.toNumber(),
              data: e.data.toHuman(),
              slashed: e.method === "Killed" ? api.createType("Balance", e.data.slashed).toHuman() : null,
            })),
            ...list,
          ].slice(0, 30));
        }
        setCommits(await chain.readCommits(api));
      }));
      stop.push(await api.rpc.chain.subscribeFinalizedHeads((header) => {
        setHeads((h) => ({ ...h, finalized: header.number.toNumber() }));
      }));
    })();
    return () => stop.forEach((unsubscribe) => unsubscribe());
  }, [api]);

  // The groups' trees, kept in the prover's worker and in this browser (IndexedDB), brought
  // up to date at each finalized block: a stored tree is taken up again, new leaves are
  // appended; a root that no longer matches (a removal) means a full read. One sync at a time
  // (a large group's read outlasts a block); a head that arrives meanwhile runs one more when
  // it ends. A tree counts as synced only once its root is the chain's.
  const syncing = useRef({ running: false, again: false });
  // Groups whose stored copy is not to be trusted: read again in full at the next sync.
  const distrusted = useRef(new Set());
  // When each group's tree was last written to IndexedDB: at most every few minutes, since a
  // million members make 32 MB.
  const savedAt = useRef(new Map());
  useEffect(() => {
    if (!api || !info || !heads.finalized) return;
    const state = syncing.current;
    if (state.running) {
      state.again = true;
      return;
    }
    const genesis = u8aToHex(info.genesisHash);
    const syncGroup = async (at, group) => {
      const started = performance.now();
      // The sync's own time: not the time its requests queued behind the prover's other work.
      const waited = { ms: 0 };
      let known = synced.current.get(group.id);
      let source = "unchanged";
      let leavesRead = 0;
      // Subtrees hashed in the page rather than their roots read from the chain.
      let hashed = 0;
      if (distrusted.current.has(group.id)) {
        known = undefined;
        await store.forgetTree(genesis, group.id).catch(() => {});
      } else if (!known) {
        const stored = await store.loadTree(genesis, group.id).catch(() => undefined);
        if (stored) {
          try {
            const tree = await prover.call("importGroup", { id: group.id, size: stored.size, bytes: stored.bytes }, [stored.bytes.buffer], waited);
            // The worker's size, not the stored record's: the bytes decide what the tree is.
            known = { size: tree.size, root: hexOrNull(tree.root) };
            source = "stored";
          } catch {
            await store.forgetTree(genesis, group.id).catch(() => {});
          }
        }
      }
      if (!known || known.root !== group.root || distrusted.current.has(group.id)) {
        let tree;
        // Every subtree hashed here, none of the node's roots taken: the group's tree was found
        // wrong where a proof or a membership check looked.
        const hashAll = distrusted.current.has(group.id);
        if (known && group.size >= known.size) {
          // From a boundary every copy shares, not from the copy's own size: the size of a
          // citizen's copy dates their last sync, and asking from it would let the node link
          // two of their vetoes. The worker checks that the leaves read again are its own.
          const from = known.size - (known.size % READ_BOUNDARY);
          const [leaves, roots] = await Promise.all([
            chain.readLeaves(api, at, group.id, from, group.size),
            chain.readSubtreeRoots(api, at, group.id, from, group.size),
          ]);
          leavesRead = group.size - from;
          tree = await prover.call("updateGroup", { id: group.id, from, leaves, roots }, [leaves.buffer, roots.buffer], waited).catch(() => undefined);
          // The leaves below the boundary are the copy's, checked when they were read.
          if (tree && !(await leavesMatchRoots(group, tree, waited, from / SUBTREE_LEAVES))) tree = undefined;
          source = source === "stored" ? "stored, then appended" : "appended";
        }
        if (!tree || hexOrNull(tree.root) !== group.root) {
          synced.current.delete(group.id);
          leavesRead = group.size;
          const [leaves, roots] = await Promise.all([
            chain.readLeaves(api, at, group.id, 0, group.size),
            chain.readSubtreeRoots(api, at, group.id, 0, group.size),
          ]);
          const given = hashAll ? new Uint8Array(roots.length) : roots.slice();
          tree = await buildTree(prover, group.id, leaves.slice(), given, waited);
          if (hexOrNull(tree.root) !== group.root || !(await leavesMatchRoots(group, tree, waited))) {
            // The node's subtree roots do not add up to its root, or its leaves do not match
            // them where the page looked: hash every subtree here.
            tree = await buildTree(prover, group.id, leaves, new Uint8Array(roots.length), waited);
          }
          source = "read";
        }
        if (hexOrNull(tree.root) !== group.root) {
          throw new Error(`the leaves of group ${group.id} do not make its root: the node contradicts itself`);
        }
        hashed = tree.hashed;
        distrusted.current.delete(group.id);
        const last = savedAt.current.get(group.id) ?? 0;
        if (source === "read" || Date.now() - last > SAVE_EVERY_MS) {
          const bytes = await prover.call("exportGroup", { id: group.id }, [], waited);
          await store.saveTree(genesis, group.id, { size: group.size, root: group.root, bytes }).catch(() => {});
          savedAt.current.set(group.id, Date.now());
        }
      }
      synced.current.set(group.id, { size: group.size, root: group.root });
      if (source !== "unchanged") {
        const milliseconds = Math.round(performance.now() - started - waited.ms);
        setSyncs((all) => ({ ...all, [group.id]: { source, leavesRead, hashed, size: group.size, milliseconds } }));
      }
    };
    // Whether the group's leaves hash to the node's roots in a few subtrees picked at random: a
    // node serving the chain's roots over changed leaves (the root still right) is caught
    // whichever subtree the citizen is in, so what the page does next does not tell it.
    // Only subtrees from `readFrom` on were read from the node this time.
    const leavesMatchRoots = async (group, tree, waited, readFrom = 0) => {
      const read = Math.ceil(group.size / SUBTREE_LEAVES) - readFrom;
      if (read <= 0 || tree.hashed === read) return true;
      const picked = Array.from(crypto.getRandomValues(new Uint32Array(SAMPLED_SUBTREES)), (r) => readFrom + (r % read));
      return prover.call("subtreesMatch", { id: group.id, subtrees: picked }, [], waited);
    };
    (async () => {
      state.running = true;
      try {
        do {
          state.again = false;
          const { at, groups } = await chain.readGroups(api);
          for (const group of groups) await syncGroup(at, group);
          setGroups(groups);
        } while (state.again);
      } catch (err) {
        setConnection({ state: "error", text: `Reading the groups failed: ${err.message ?? err}` });
      } finally {
        state.running = false;
      }
    })();
  }, [api, info, heads.finalized]);

  // Which groups the unlocked identity belongs to: found in the page, never asked of the node.
  useEffect(() => {
    if (identity.state !== "unlocked") return setMembership({});
    let current = true;
    (async () => {
      const found = {};
      for (const group of groups) {
        found[group.id] = (await prover.call("indexOf", { id: group.id, commitment: identity.commitment })) !== null;
      }
      // Before the desk tells a citizen they belong to no group, the copies taken from this
      // browser's storage, and the trees made with the node's subtree roots, are read again and
      // hashed here in full (a damaged or changed leaf would say so). Only then: a member of one
      // group does not pay a full read of every other at each visit.
      if (!Object.values(found).some(Boolean)) {
        for (const group of groups) {
          const sync = syncs[group.id];
          const tookRoots = sync && sync.hashed < Math.ceil(group.size / SUBTREE_LEAVES);
          if (sync?.source.startsWith("stored") || tookRoots) distrusted.current.add(group.id);
        }
      }
      if (current) setMembership(found);
    })();
    return () => { current = false; };
  }, [identity, groups, syncs]);

  // The pending proposals of the citizen's groups (of every group while no identity is open).
  // Every group's are read, and filtered here: asking for some would tell the node which groups
  // the citizen belongs to.
  useEffect(() => {
    if (!api || !groups.length) return;
    let current = true;
    (async () => {
      const lists = await Promise.all(groups.map((g) => chain.readPending(api, g.id)));
      if (!current) return;
      const all = lists.flat().filter((p) => identity.state !== "unlocked" || membership[p.group]);
      if (seen.current) {
        const fresh = all.filter((p) => !seen.current.has(p.id));
        if (fresh.length) {
          setNotices((list) => [...fresh.map((p) => ({ id: p.id, summary: p.summary })), ...list].slice(0, 5));
          if (typeof Notification !== "undefined" && Notification.permission === "granted") {
            for (const p of fresh) new Notification(`TEO: proposal #${p.id}`, { body: p.summary });
          }
        }
      }
      seen.current = new Set([...(seen.current ?? []), ...all.map((p) => p.id)]);
      for (const p of all) summaries.current.set(p.id, p.summary);
      setProposals(all);
    })().catch(() => {});
    return () => { current = false; };
  }, [api, groups, membership, heads.best]);

  // Which of them this identity has vetoed: its nullifier for each, computed in the page.
  useEffect(() => {
    if (identity.state !== "unlocked" || !info) return setMine({});
    let current = true;
    (async () => {
      const found = {};
      for (const p of proposals) {
        const nullifier = await prover.call("nullifier", { privateKey: identity.privateKey, genesisHash: info.genesisHash, proposal: p.id, callHash: p.callHash });
        found[p.id] = p.nullifiers.includes(u8aToHex(nullifier));
      }
      if (current) setMine(found);
    })();
    return () => { current = false; };
  }, [identity, proposals, info]);

  // An unlocked identity locks itself when nobody has touched the page for a while.
  useEffect(() => {
    if (identity.state !== "unlocked") return;
    let timer;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => setIdentity((current) => lock(current)), IDLE_LOCK_MS);
    };
    arm();
    window.addEventListener("keydown", arm);
    window.addEventListener("pointerdown", arm);
    return () => {
      clearTimeout(timer);
      window.removeEventListener("keydown", arm);
      window.removeEventListener("pointerdown", arm);
    };
  }, [identity]);

  async function veto(p) {
    // Each attempt is numbered, so that its outcome is never mistaken for the last one's.
    const attempt = (vetoes[p.id]?.attempt ?? 0) + 1;
    const set = (state) => setVetoes((v) => ({ ...v, [p.id]: { milliseconds: v[p.id]?.milliseconds, ...state, attempt } }));
    try {
      set({ phase: "proving", text: "Proving your membership in this browser…", milliseconds: undefined });
      const { veto, milliseconds } = await prover.call("proveVeto", {
        id: p.group, privateKey: identity.privateKey, genesisHash: info.genesisHash, proposal: p.id, callHash: p.callHash,
      });
      set({ phase: "sending", text: `Proved in ${(milliseconds / 1000).toFixed(1)} s; sending it without an account…`, milliseconds });
      const { events } = await chain.sendVeto(api, p.id, veto);
      const counted = events.find((e) => e.method === "VetoedAnonymously");
      const killed = events.find((e) => e.method === "Killed");
      set({
        phase: "done",
        text: killed
          ? `Your veto killed proposal #${p.id}.`
          : `Your veto is counted: ${counted?.data.tally ?? "?"} of ${counted?.data.threshold ?? "?"}.`,
      });
    } catch (err) {
      if (/not a member of the group/.test(String(err.message)) && membership[p.group]) {
        // The tree says member, the path says otherwise: the stored copy is damaged, or the
        // node's leaves do not match its subtree roots. Read the group again and hash it here.
        distrusted.current.add(p.group);
        set({ phase: "refused", name: null, text: "This browser's copy of the group did not match the chain's; it is being read again and hashed in this browser: veto again in a moment." });
        return;
      }
      const refusal = api ? chain.explainRefusal(api, err) : { name: null, text: String(err.message ?? err) };
      set({ phase: "refused", name: refusal.name, text: `Refused${refusal.name ? ` (${refusal.name})` : ""}: ${refusal.text}` });
    }
  }

  return (
    <>
      <header>
        <h1>TEO veto desk</h1>
        <p class={`connection ${connection.state}`} data-testid="connection">
          {connection.state === "connected"
            ? `${info?.name ?? ""} · ${connection.text} · block #${heads.best} (finalized #${heads.finalized})`
            : connection.state === "connecting" ? "Connecting…" : connection.text}
        </p>
        <p class={`key ${key.state}`} data-testid="key">{key.text}</p>
      </header>
      <main>
        <IdentityPanel identity={identity} setIdentity={setIdentity} groups={groups} membership={membership} />
        <GroupsLine groups={groups} syncs={syncs} />
        {notices.length > 0 && (
          <section class="notices" data-testid="notices">
            {notices.map((n) => <p key={n.id}>New proposal #{n.id}: <bdi>{plainSummary(n.summary)}</bdi></p>)}
            <button onClick={() => setNotices([])}>Dismiss</button>
            {typeof Notification !== "undefined" && Notification.permission === "default" && (
              <button onClick={() => Notification.requestPermission()}>Also notify me outside this tab</button>
            )}
          </section>
        )}
        <section>
          <h2>Pending proposals</h2>
          {identity.state !== "unlocked" && <p class="hint">Every group's proposals; unlock your identity to see your groups' and to veto.</p>}
          {proposals.length === 0 && <p class="hint" data-testid="no-proposals">Nothing pending.</p>}
          {proposals.map((p) => (
            <ProposalCard key={p.id} p={p} info={info} best={heads.best} vetoState={vetoes[p.id]} vetoed={mine[p.id]}
              canVeto={identity.state === "unlocked" && key.state === "ready" && membership[p.group]}
              onVeto={() => veto(p)} />
          ))}
        </section>
        {Object.keys(vetoes).length > 0 && (
          <section>
            <h2>Your vetoes</h2>
            <ul class="my-vetoes">
              {Object.entries(vetoes).map(([id, v]) => (
                <li key={id} class={`veto-status ${v.phase}`} data-testid="my-veto" data-id={id} data-attempt={v.attempt} data-prove-ms={v.milliseconds ?? ""} data-phase={v.phase} data-error={v.name ?? ""}>
                  Proposal #{id}: {v.text}
                </li>
              ))}
            </ul>
          </section>
        )}
        <section>
          <h2>What happened</h2>
          {outcomes.length === 0 && <p class="hint">No veto, kill or commit since this page opened.</p>}
          <ul class="outcomes" data-testid="outcomes">
            {outcomes.map((o, i) => <li key={i} data-kind={o.method} data-id={o.id}>#{o.block}: proposal #{o.id} {describeOutcome(o)}</li>)}
          </ul>
        </section>
        <CommitChain commits={commits} summaries={summaries.current} />
      </main>
      <footer>
        <p>
          What a veto reveals: a nullifier (the same for your vetoes of one proposal, unlinkable across proposals) and a recent root of your
          group. It names no account and pays no fee. The node you send it to sees your IP address: connect to your own node, or reach
          this one through Tor or a VPN.
        </p>
      </footer>
    </>
  );
}

function describeOutcome(o) {
  switch (o.method) {
    case "VetoedAnonymously": return `vetoed anonymously (${o.data.tally} of ${o.data.threshold})`;
    case "Vetoed": return `vetoed by ${short(String(o.data.vetoer))}`;
    case "Killed": return `killed; its proposer's deposit (${o.slashed}) slashed`;
    case "Committed": return `committed`;
    case "Withdrawn": return `withdrawn`;
    default: return o.method;
  }
}

function ProposalCard({ p, info, best, vetoState, vetoed, canVeto, onVeto }) {
  const busy = vetoState && (vetoState.phase === "proving" || vetoState.phase === "sending");
  const left = info ? duration((p.unlockAt - best) * info.blockTime) : "";
  return (
    <article class="proposal" data-testid="proposal" data-id={p.id}>
      <h3>#{p.id}: <bdi class="summary" title="the agent's own words">{plainSummary(p.summary)}</bdi></h3>
      {!p.callMatchesHash && <p class="error" data-testid="hash-mismatch">The node shows a call whose hash is not the proposal's: do not trust this node.</p>}
      <dl>
        <dt>Runs</dt>
        <dd data-testid="call">
          {p.call
            ? <><code>{p.call.name}</code><pre>{JSON.stringify(p.call.args, null, 2)}</pre>{p.call.docs && <details><summary>What it does</summary><small>{p.call.docs}</small></details>}</>
            : `an undecodable call: ${p.callError}`}
        </dd>
        <dt>Proposed by</dt><dd title={p.proposer}>{short(p.proposer)} (agent), sponsored by <span title={p.sponsor}>{short(p.sponsor)}</span></dd>
        <dt>Deposit</dt><dd>{p.deposit}</dd>
        <dt>Vetoes</dt><dd data-testid="tally">{p.vetoes} of {p.threshold}</dd>
        <dt>Runs in</dt><dd data-testid="time-left">{left} (block #{p.unlockAt}){p.withdrawn ? "; withdrawn: it will not run" : ""}</dd>
      </dl>
      {vetoed && <p class="mine" data-testid="vetoed">You have vetoed this proposal.</p>}
      <button class="veto" data-testid="veto" disabled={!canVeto || busy} onClick={onVeto}>Veto anonymously</button>
      {vetoState && <p class={`veto-status ${vetoState.phase}`} data-testid="veto-status" data-phase={vetoState.phase} data-error={vetoState.name ?? ""}>{vetoState.text}</p>}
    </article>
  );
}

/** How each group's tree reached the page the last time it changed: read from the node,
 * taken from this browser's copy, or appended to it. */
function GroupsLine({ groups, syncs }) {
  if (!groups.length) return null;
  const how = { read: "read from the node", stored: "from this browser's copy", appended: "new leaves appended", "stored, then appended": "from this browser's copy, new leaves appended" };
  return (
    <p class="hint groups">
      {groups.map((g) => {
        const sync = syncs[g.id];
        return (
          <span key={g.id} data-testid="group-sync" data-id={g.id} data-source={sync?.source ?? ""} data-ms={sync?.milliseconds ?? ""} data-hashed={sync?.hashed ?? ""} data-size={g.size}>
            {g.name} (group {g.id}): {g.size} members{sync ? `; tree ${how[sync.source]} (${sync.leavesRead} leaves read, ${sync.hashed} of ${Math.ceil(g.size / SUBTREE_LEAVES)} subtrees hashed here) in ${(sync.milliseconds / 1000).toFixed(1)} s` : ""}.{" "}
          </span>
        );
      })}
    </p>
  );
}

function CommitChain({ commits, summaries }) {
  if (!commits) return null;
  return (
    <section>
      <h2>Commit chain</h2>
      <p data-testid="commit-head">{commits.count} commits; head <code title={commits.root}>{short(commits.root)}</code></p>
      <table>
        <thead><tr><th>#</th><th>proposal</th><th>group</th><th>block</th><th>call</th><th>result</th><th>root after</th></tr></thead>
        <tbody>
          {commits.recent.map((c) => (
            <tr key={c.index}><td>{c.index}</td><td>#{c.id}{summaries.has(c.id) && <> <bdi class="summary">{plainSummary(summaries.get(c.id))}</bdi></>}</td><td>{c.group}</td><td>{c.block}</td><td><code title={c.callHash}>{short(c.callHash, 6)}</code></td><td>{c.succeeded ? "ran" : "failed"}</td><td><code title={c.root}>{short(c.root, 6)}</code></td></tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function IdentityPanel({ identity, setIdentity, groups, membership }) {
  const [passphrase, setPassphrase] = useState("");
  const [imported, setImported] = useState("");
  const [error, setError] = useState("");
  const [exported, setExported] = useState("");
  const [busy, setBusy] = useState(false);

  async function open(privateKey) {
    const commitment = await prover.call("commitment", { privateKey });
    setIdentity({ state: "unlocked", privateKey, commitment, commitmentHex: u8aToHex(commitment) });
  }
  const act = (body) => async (event) => {
    event?.preventDefault();
    setError("");
    setBusy(true);
    try {
      await body();
      setPassphrase("");
      setImported("");
    } catch (err) {
      setError(String(err.message ?? err));
    } finally {
      setBusy(false);
    }
  };
  const create = act(async () => {
    const privateKey = vault.newPrivateKey();
    await vault.storeIdentity(privateKey, passphrase);
    await open(privateKey);
  });
  const importIt = act(async () => {
    const privateKey = vault.importPrivateKey(imported);
    if (vault.hasStoredIdentity() && !confirm("Replace the identity stored in this browser?")) return;
    await vault.storeIdentity(privateKey, passphrase);
    await open(privateKey);
  });
  const unlock = act(async () => open(await vault.unlockIdentity(passphrase)));
  // The export is the private key itself: the passphrase again, from whoever is at the desk.
  const exportIt = act(async () => {
    (await vault.unlockIdentity(passphrase)).fill(0);
    setExported(vault.exportPrivateKey(identity.privateKey));
  });

  if (identity.state === "unlocked") {
    const mine = groups.filter((g) => membership[g.id]);
    return (
      <section class="identity">
        <h2>Your identity</h2>
        <p>Commitment (give it to your group's registrar): <code data-testid="commitment">{identity.commitmentHex}</code></p>
        <p data-testid="membership">
          {mine.length ? `Member of ${mine.map((g) => `${g.name} (group ${g.id})`).join(", ")}.` : "Not a member of any group yet."}
        </p>
        {exported
          ? <button onClick={() => setExported("")}>Hide the export</button>
          : (
            <form class="inline" onSubmit={exportIt}>
              <label>Passphrase <input type="password" autocomplete="current-password" data-testid="export-passphrase" value={passphrase} onInput={(e) => setPassphrase(e.currentTarget.value)} /></label>
              <button type="submit" data-testid="export-button" disabled={busy}>Export</button>
            </form>
          )}
        <button onClick={() => { setExported(""); setIdentity(lock(identity)); }}>Lock</button>
        {exported && <p class="secret">Semaphore export (your private key: whoever has it can veto as you): <code data-testid="export">{exported}</code></p>}
        {error && <p class="error" data-testid="identity-error">{error}</p>}
      </section>
    );
  }
  return (
    <section class="identity">
      <h2>Your identity</h2>
      <p class="hint">A Semaphore identity, kept encrypted in this browser only.</p>
      <form onSubmit={identity.state === "locked" ? unlock : create}>
        <label>Passphrase <input type="password" autocomplete={identity.state === "locked" ? "current-password" : "new-password"} data-testid="passphrase" value={passphrase} onInput={(e) => setPassphrase(e.currentTarget.value)} minLength={vault.MIN_PASSPHRASE} /></label>
        {identity.state === "locked"
          ? <button type="submit" data-testid="unlock" disabled={busy}>Unlock</button>
          : <button type="submit" data-testid="create" disabled={busy}>Create an identity</button>}
      </form>
      <details>
        <summary>Import a Semaphore export</summary>
        <form onSubmit={importIt}>
          <label>Export <input type="text" data-testid="import-text" value={imported} onInput={(e) => setImported(e.currentTarget.value)} /></label>
          <button type="submit" data-testid="import" disabled={busy}>Import with this passphrase</button>
        </form>
      </details>
      {identity.state === "locked" && <button onClick={() => { if (confirm("Delete the identity stored in this browser? Without an export it is gone.")) { vault.forgetIdentity(); setIdentity({ state: "none" }); } }}>Forget it</button>}
      {busy && <p class="hint">Working…</p>}
      {error && <p class="error" data-testid="identity-error">{error}</p>}
    </section>
  );
}

render(<App />, document.getElementById("desk"));
