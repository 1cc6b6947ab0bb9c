"""Schemathesis hooks of the conformance run (loaded through schemathesis.toml).

1. Recording chunks are declared as `video/webm` bodies (raw bytes), a
   media type schemathesis has no serializer for: they go out as it sends
   `application/octet-stream`.

2. Link ids in the stateful phase. schemathesis.toml fixes the path ids to
   the fixtures run.sh created, so that coverage and fuzzing reach real
   resources. schemathesis also applies those fixed values to the steps of
   the stateful phase, after the step took its ids from a link, which would
   make every link useless. So `map_case` notes the path parameters a
   stateful step was generated with, and `before_call` puts back those
   that the server itself returned earlier in the run (an id that a link
   or a response-derived value supplied), except:
   - a user's room operations keep the fixture room (the host is in no
     other one);
   - nothing acts on the host as a target user (no self-kick or demotion);
   - destructive operations (DELETE, kick, remove, reject, return) never
     get a shared fixture, only their own throw-away one.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any

import schemathesis

schemathesis.serializer.alias("video/webm", "application/octet-stream")

# Fixture ids are in CONF_* variables (run.sh); all are shared but these.
THROWAWAY = ("CONF_DOOMED_", "CONF_VICTIM", "CONF_REJECTEE", "CONF_REJECTED_", "CONF_LINK_", "CONF_DIR", "CONF_HOST_TOKEN")
DESTRUCTIVE_LEAVES = {"kick", "remove", "reject", "return"}

_lock = threading.Lock()
_seen: set[str] = set()  # string values of 2xx JSON responses
_generated: dict[int, tuple[Any, dict[str, Any]]] = {}  # id(case) -> (case, path parameters)


def _is_stateful(case) -> bool:
    meta = case._meta
    return meta is not None and meta.phase.name == "stateful"


@schemathesis.hook
def map_case(context, case):
    if _is_stateful(case) and case.path_parameters:
        with _lock:
            _generated[id(case)] = (case, dict(case.path_parameters))
    return case


def _collect(value: Any, out: set[str], depth: int = 0) -> None:
    if depth > 6:
        return
    if isinstance(value, str):
        if 0 < len(value) <= 128:
            out.add(value)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, out, depth + 1)
    elif isinstance(value, list):
        for item in value[:200]:
            _collect(item, out, depth + 1)


@schemathesis.hook
def after_call(context, case, response) -> None:
    if not (200 <= response.status_code < 300):
        return
    if "json" not in (response.headers.get("content-type") or [""])[0]:
        return
    try:
        payload = json.loads(response.content)
    except ValueError:
        return
    found: set[str] = set()
    _collect(payload, found)
    with _lock:
        _seen.update(found)


@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    if not _is_stateful(case):
        return
    with _lock:
        entry = _generated.pop(id(case), None)
        seen = set(_seen) if entry is not None else set()
    if entry is None or entry[0] is not case or case.path_parameters is None:
        return
    operation = case.operation
    leaf = operation.path.rstrip("/").rsplit("/", 1)[-1]
    destructive = operation.method.lower() == "delete" or leaf in DESTRUCTIVE_LEAVES
    shared = {v for k, v in os.environ.items() if k.startswith("CONF_") and not k.startswith(THROWAWAY)}
    host = os.environ.get("CONF_HOST")
    for name, value in entry[1].items():
        if name not in case.path_parameters or value == case.path_parameters[name]:
            continue
        if not isinstance(value, str) or value not in seen:
            continue  # made up by the generator: the fixture stays
        if name == "room_id" and not operation.path.startswith("/webrtc/admin/"):
            continue
        if name == "user_id" and value == host:
            continue
        if destructive and value in shared:
            continue
        case.path_parameters[name] = value
