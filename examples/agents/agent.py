#!/usr/bin/env python3
"""An example TEO agent: a plain WebSocket JSON-RPC client of its local teo-mesh service.

It joins a group's conversation and follows a tiny protocol carried in message bodies (JSON):

- a ``poll`` ``{"question": ..., "pollId": ...}`` is answered with a ``poll``
  ``{"answer": ..., "pollId": ...}``;
- a ``draft`` ``{"draftId": ..., "summary": ..., "call": "0x..."}`` proposes a runtime call; other
  agents that agree answer with a ``draft`` ``{"endorse": draftId}``;
- the agent that proposed a draft submits it as a pull request (``mesh_submitPullRequest``) once
  ``--quorum`` distinct agents have endorsed it, and announces it with a ``pull-request`` message.

Every message builds on the head of the ledger of commits (rule C): the agent reads the head and
the pending proposals when it starts, names the head in every message, and when the service
says the head has moved it reads the commits since, drops what they settled and carries on from
the new head. It does not propose a call that is already pending.

Every message costs budget units; the service refuses (before signing) what the agent cannot
afford, and the agent reports that and carries on. The service serves only holders of a token
its operator issued for the agent (``teo-mesh token issue``): the agent reads it from
``TEO_MESH_TOKEN`` or ``--token-file``, never from its command line. Run
``python3 agent.py --help``.
"""
import argparse
import asyncio
import hashlib
import itertools
import json
import os
import sys
import uuid

from websockets.asyncio.client import connect


class Mesh:
    """A JSON-RPC connection to a teo-mesh service."""

    def __init__(self, socket):
        self.socket = socket
        self.ids = itertools.count(1)
        self.pending = {}
        self.notifications = asyncio.Queue()

    async def pump(self):
        async for raw in self.socket:
            message = json.loads(raw)
            if "id" in message and message["id"] in self.pending:
                self.pending.pop(message["id"]).set_result(message)
            elif message.get("method") == "mesh_message":
                await self.notifications.put(message["params"]["result"])

    async def call(self, method, *params):
        request_id = next(self.ids)
        answer = asyncio.get_running_loop().create_future()
        self.pending[request_id] = answer
        await self.socket.send(json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, "params": list(params)}))
        reply = await asyncio.wait_for(answer, timeout=120)
        if "error" in reply:
            raise MeshError(method, reply["error"])
        return reply["result"]


class MeshError(RuntimeError):
    """A JSON-RPC error of the mesh service: `retry` says whether the same call may succeed
    later (the chain has not caught up, a pull request of the agent is on its way, ...)."""

    def __init__(self, method, error):
        super().__init__(f"{method}: {error['message']}")
        data = error.get("data") or {}
        self.retry = bool(data.get("retry"))
        self.reason = data.get("reason")


class Ledger:
    """The agent's view of the ground truth: the head of the ledger of commits it reasons from,
    and the pull requests pending in its group."""

    def __init__(self, mesh, group):
        self.mesh = mesh
        self.group = group
        self.root = None
        self.count = 0
        self.pending = []

    async def read(self):
        """Reads the head and the pending proposals afresh."""
        head = await self.mesh.call("mesh_commitRoot")
        self.root, self.count = head["root"], head["count"]
        self.pending = await self.mesh.call("mesh_pendingProposals", self.group)
        print(f"ledger head: {self.count} commits, {len(self.pending)} proposals pending in group {self.group}", flush=True)

    async def catch_up(self):
        """Moves to the new head; returns the commits since the old one (None when the chain no
        longer keeps the old head: everything was read afresh)."""
        try:
            since = await self.mesh.call("mesh_commitsSince", self.root)
        except MeshError as error:
            # A root the chain no longer keeps, or the service cannot read the chain just now:
            # read everything afresh (a failure there is the caller's to report).
            print(f"catching up from the ledger head: {error}; reading it afresh", flush=True)
            await self.read()
            return None
        for commit in since["commits"]:
            outcome = "ran" if commit["succeeded"] else "failed"
            print(f"committed since: proposal {commit['proposalId']} of group {commit['group']} {outcome} in block {commit['block']}", flush=True)
        self.root, self.count = since["head"]["root"], since["head"]["count"]
        self.pending = await self.mesh.call("mesh_pendingProposals", self.group)
        return since["commits"]

    def is_pending(self, call):
        """Whether a proposal carrying `call` (hex) waits in its veto window: the service lists
        the calls by their BLAKE2-256 hash."""
        digest = hashlib.blake2b(bytes.fromhex(call.removeprefix("0x")), digest_size=32).hexdigest()
        return any(p["callHash"] == f"0x{digest}" for p in self.pending)


async def publish(mesh, ledger, kind, body, patience=60):
    """Publishes `body` (a dict) on the agent's ledger head and reports what it cost, or why
    it was refused. A refusal that may pass (``retry``) is tried again every second for at most
    `patience` seconds; a head that moved is caught up with, and the message sent on the new
    head."""
    deadline = asyncio.get_running_loop().time() + patience
    while True:
        try:
            published = await mesh.call("mesh_publish", ledger.group, kind, json.dumps(body), None, ledger.root)
            print(f"published {kind} seq {published['seq']} for {published['cost']} units, {published['remaining']} left", flush=True)
            return published
        except MeshError as refusal:
            if refusal.reason == "stale_commit_root" and asyncio.get_running_loop().time() < deadline:
                # This agent's messages do not depend on what was committed (an endorsement
                # or an answer stays true), so it only catches up; an agent whose argument a
                # commit settled would reconsider here.
                try:
                    await ledger.catch_up()
                except MeshError as error:
                    print(f"not published: the ledger head moved and could not be read: {error}", flush=True)
                    return None
                continue
            if refusal.retry and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(1)
                continue
            print(f"not published: {refusal}", flush=True)
            return None


async def run(args):
    headers = {"Authorization": f"Bearer {token_of(args)}"}
    async with connect(args.url, max_size=2**22, additional_headers=headers) as socket:
        mesh = Mesh(socket)
        pump = asyncio.create_task(mesh.pump())
        health = await mesh.call("mesh_health")
        me = health["agents"][0] if health["agents"] else None
        print(f"connected to peer {health['peerId']} as agent {me}; budget {await mesh.call('mesh_budget')}", flush=True)
        await mesh.call("mesh_subscribe", args.group, None)
        ledger = Ledger(mesh, args.group)
        await ledger.read()

        my_draft = None
        endorsements = set()
        if args.propose and ledger.is_pending(args.propose):
            print("the call is already pending in the commit gate: not proposing it again", flush=True)
        elif args.propose:
            my_draft = {"draftId": str(uuid.uuid4()), "summary": args.summary, "call": args.propose}
            await publish(mesh, ledger, "draft", my_draft)

        deadline = asyncio.get_running_loop().time() + args.run_for
        while asyncio.get_running_loop().time() < deadline:
            try:
                item = await asyncio.wait_for(mesh.notifications.get(), timeout=1)
            except asyncio.TimeoutError:
                continue
            if item["type"] == "lagged":
                # Too slow a reader: some deliveries were dropped. This agent keeps no state
                # that depends on seeing every message, so it only says so.
                print(f"fell behind: {item['missed']} deliveries missed", flush=True)
                continue
            if item["type"] == "evidence":
                print(f"evidence: agent {item['agent']} cheated in epoch {item['epoch']}", flush=True)
                continue
            if item["agent"] == me or not item.get("body"):
                continue
            try:
                body = json.loads(item["body"])
            except json.JSONDecodeError:
                continue
            if item["kind"] == "poll" and "question" in body:
                await publish(mesh, ledger, "poll", {"pollId": body.get("pollId"), "answer": args.answer})
            elif item["kind"] == "draft" and "draftId" in body and args.endorse:
                await publish(mesh, ledger, "draft", {"endorse": body["draftId"]})
            elif item["kind"] == "draft" and my_draft and body.get("endorse") == my_draft["draftId"]:
                endorsements.add(item["agent"])
                print(f"endorsed by {item['agent']} ({len(endorsements)}/{args.quorum})", flush=True)
                if len(endorsements) >= args.quorum:
                    # The ledger may have moved while the agents talked: someone may have
                    # proposed the same call meanwhile.
                    try:
                        await ledger.catch_up()
                    except MeshError as error:
                        print(f"could not read the ledger head: {error}", flush=True)
                    if ledger.is_pending(my_draft["call"]):
                        print("the call was proposed meanwhile: not proposing it again", flush=True)
                        my_draft = None
                        continue
                    status = await mesh.call("mesh_submitPullRequest", args.group, my_draft["call"], my_draft["summary"])
                    print(f"pull request submitted: {json.dumps(status)}", flush=True)
                    await publish(mesh, ledger, "pull-request", {"draftId": my_draft["draftId"], **status})
                    my_draft = None
                    if args.exit_after_pull_request:
                        break
        pump.cancel()


def token_of(args):
    """The agent's token for its service: from --token-file, else from TEO_MESH_TOKEN."""
    if args.token_file:
        with open(args.token_file, encoding="utf-8") as file:
            return file.read().strip()
    token = os.environ.get("TEO_MESH_TOKEN", "").strip()
    if not token:
        raise RuntimeError("no token: set TEO_MESH_TOKEN or pass --token-file (the operator issues one with `teo-mesh token issue`)")
    return token


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="ws://127.0.0.1:9950", help="the mesh service's JSON-RPC")
    parser.add_argument("--token-file", help="a file holding the agent's token (default: $TEO_MESH_TOKEN)")
    parser.add_argument("--group", type=int, default=0, help="the group to talk in")
    parser.add_argument("--answer", default="yes", help="what to answer to polls")
    parser.add_argument("--endorse", action="store_true", help="endorse every draft seen")
    parser.add_argument("--propose", metavar="CALL_HEX", help="propose this runtime call (SCALE hex)")
    parser.add_argument("--summary", default="A proposal from the example agent", help="the proposal's summary")
    parser.add_argument("--quorum", type=int, default=1, help="endorsements needed before submitting")
    parser.add_argument("--run-for", type=float, default=300, help="seconds to run")
    parser.add_argument("--exit-after-pull-request", action="store_true", help="stop once the pull request is in")
    args = parser.parse_args()
    try:
        asyncio.run(run(args))
    except (OSError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
