"""Holds WebSocket participants in the conformance rooms while schemathesis runs.

A room exists only while someone is in it, and the REST operations act on
the caller's own room (anyone else gets USER_NOT_IN_ROOM), so run.sh starts
this before the fuzzer: one connection per `room name token` line of the
tokens file (the first line is the host in ROOM), each reading and dropping
everything the server sends (so it never counts as a slow consumer) and
reconnecting whenever it is dropped.

The fuzzer kicks, bans, rejects and sends people to the waiting room, and
locks the room, shrinks it or turns the waiting room on. The keeper, acting
as the host over REST, puts ROOM back in the shape the fixtures need
(every second it reopens the room if it is locked, waiting or small):
- a member (the default) that is kept out or made to wait gets the room
  reopened (unlocked, capacity 50, no waiting room) and everyone admitted;
- a `--waiter` is sent back to the waiting room whenever it gets in, so
  that admit and reject find someone waiting (a rejected one stays out);
- a `--victim` (kicked, removed, maybe banned) is only reconnected.

Once every connection has had its `room-state`, the host sends two chat
messages (so the history operations return records) and the ready file is
written.

    python ws_keeper.py BASE_URL ROOM TOKENS_FILE READY_FILE [--waiter NAME]... [--victim NAME]...
"""

import json
import sys
import threading
import time
import urllib.request

from websockets.sync.client import connect

REFUSALS = ("ROOM_LOCKED", "ROOM_FULL", "MAX_PARTICIPANTS", "WAITING_ROOM")


def option(flag: str) -> set[str]:
    return {sys.argv[i + 1] for i, a in enumerate(sys.argv[:-1]) if a == flag}


def main() -> None:
    base, room, tokens_file, ready_file = sys.argv[1:5]
    waiters, victims = option("--waiter"), option("--victim")
    ws_base = base.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
    with open(tokens_file, encoding="utf-8") as f:
        tokens = [line.split() for line in f if line.strip()]
    host_token = tokens[0][2]
    joined = {(r, name): threading.Event() for r, name, _ in tokens}
    heal_lock = threading.Lock()
    last_heal = [0.0]

    def rest(path: str, body: object = None, method: str = "POST") -> object:
        req = urllib.request.Request(
            f"{base}/webrtc/rooms/{room}{path}",
            data=None if method == "GET" else b"" if body is None else json.dumps(body).encode(),
            method=method,
            headers={"Authorization": f"Bearer {host_token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                return json.load(resp) if method == "GET" else None
        except Exception as exc:
            print(f"ws_keeper: {method} {path}: {exc}", file=sys.stderr, flush=True)
            return None

    def watch_settings() -> None:
        # Admitting and joining need an open room with space.
        while True:
            time.sleep(1)
            got = rest("/settings", method="GET")
            settings = got.get("settings", got) if isinstance(got, dict) else {}
            if settings.get("locked") or settings.get("waiting_room_enabled") or (settings.get("max_participants") or 50) < 50:
                rest("/settings", {"locked": False, "waiting_room_enabled": False, "max_participants": 50})

    def reopen(why: str) -> None:
        with heal_lock:
            if time.monotonic() - last_heal[0] < 1:
                return
            last_heal[0] = time.monotonic()
        print(f"ws_keeper: reopening the room ({why})", file=sys.stderr, flush=True)
        rest("/settings", {"locked": False, "waiting_room_enabled": False, "max_participants": 50})
        rest("/waiting-room/admit-all")

    def hold(where: str, name: str, token: str, first: bool) -> None:
        url = f"{ws_base}/webrtc/ws/{where}?token={token}"
        member = where == room and name not in waiters and name not in victims
        greeted = False
        while True:
            try:
                with connect(url, open_timeout=5, max_size=None) as ws:
                    for raw in ws:
                        msg = json.loads(raw) if isinstance(raw, str) else {}
                        kind = msg.get("type")
                        mine = msg.get("user_id") == name
                        if kind == "room-state":
                            joined[(where, name)].set()
                            if first and not greeted:
                                for ev in joined.values():
                                    ev.wait(30)
                                for text in ("conformance fixture", "**second** message"):
                                    ws.send(json.dumps({"type": "chat-message", "message": text}))
                                greeted = True
                            if where == room and name in waiters:
                                time.sleep(0.2)
                                rest(f"/waiting-room/{name}/return")
                        elif member and mine and (
                            kind == "waiting-room-join"
                            or (kind == "user-left" and msg.get("reason") == "moved_to_waiting_room")
                        ):
                            reopen(f"{name} waits")
            except Exception as exc:  # kicked, banned, refused, server gone: try again
                reason = str(exc)
                print(f"ws_keeper: {name}@{where}: {type(exc).__name__}: {reason}", file=sys.stderr, flush=True)
                if member and any(code in reason for code in REFUSALS):
                    reopen(reason)
            time.sleep(0.5)

    for i, (where, name, token) in enumerate(tokens):
        threading.Thread(target=hold, args=(where, name, token, i == 0), daemon=True).start()
    for ev in joined.values():
        if not ev.wait(30):
            sys.exit("ws_keeper: a participant did not join within 30 s")
    threading.Thread(target=watch_settings, daemon=True).start()
    time.sleep(0.5)  # let the chat messages land and the waiters leave
    with open(ready_file, "w", encoding="utf-8") as f:
        f.write("ready\n")
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
