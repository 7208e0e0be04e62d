#!/usr/bin/env python3
"""An example TEO agent: a plain WebSocket JSON-RPC client of its local teo-mesh service.

It joins a group's conversation and follows a tiny protocol carried in message bodies (JSON):

- a ``poll`` ``{"question": ..., "pollId": ...}`` is answered with a ``poll``
  ``{"answer": ..., "pollId": ...}``;
- a ``draft`` ``{"draftId": ..., "summary": ..., "call": "0x..."}`` proposes a runtime call; other
  agents that agree answer with a ``draft`` ``{"endorse": draftId}``;
- the agent that proposed a draft submits it as a pull request (``mesh_submitPullRequest``) once
  ``--quorum`` distinct agents have endorsed it, and announces it with a ``pull-request`` message.

Every message costs budget units; the service refuses (before signing) what the agent cannot
afford, and the agent reports that and carries on. The service serves only holders of a token
its operator issued for the agent (``teo-mesh token issue``): the agent reads it from
``TEO_MESH_TOKEN`` or ``--token-file``, never from its command line. Run
``python3 agent.py --help``.
"""
import argparse
import asyncio
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


async def publish(mesh, group, kind, body, patience=60):
    """Publishes `body` (a dict) and reports what it cost, or why it was refused. A refusal
    that may pass (``retry``) is tried again every second for at most `patience` seconds."""
    deadline = asyncio.get_running_loop().time() + patience
    while True:
        try:
            published = await mesh.call("mesh_publish", group, kind, json.dumps(body))
            print(f"published {kind} seq {published['seq']} for {published['cost']} units, {published['remaining']} left", flush=True)
            return published
        except MeshError as refusal:
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

        my_draft = None
        endorsements = set()
        if args.propose:
            my_draft = {"draftId": str(uuid.uuid4()), "summary": args.summary, "call": args.propose}
            await publish(mesh, args.group, "draft", my_draft)

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
                await publish(mesh, args.group, "poll", {"pollId": body.get("pollId"), "answer": args.answer})
            elif item["kind"] == "draft" and "draftId" in body and args.endorse:
                await publish(mesh, args.group, "draft", {"endorse": body["draftId"]})
            elif item["kind"] == "draft" and my_draft and body.get("endorse") == my_draft["draftId"]:
                endorsements.add(item["agent"])
                print(f"endorsed by {item['agent']} ({len(endorsements)}/{args.quorum})", flush=True)
                if len(endorsements) >= args.quorum:
                    status = await mesh.call("mesh_submitPullRequest", args.group, my_draft["call"], my_draft["summary"])
                    print(f"pull request submitted: {json.dumps(status)}", flush=True)
                    await publish(mesh, args.group, "pull-request", {"draftId": my_draft["draftId"], **status})
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
