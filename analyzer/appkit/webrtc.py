"""ICE (STUN/TURN) servers for live mode, from configuration — never a hard-coded public server.

On localhost (browser and server on the same machine) no ICE server is needed and the list is
empty. For deployments beyond localhost, configure a TURN server, in order of precedence:

1. ``$HINGE_ICE_SERVERS`` — a JSON list of RTCIceServer dicts, e.g.
   ``[{"urls": ["turn:turn.example.org:3478"], "username": "u", "credential": "p"}]``;
2. ``$HINGE_TURN_URL`` (comma-separated URLs) with ``$HINGE_TURN_USERNAME`` / ``$HINGE_TURN_CREDENTIAL``;
3. Streamlit secrets: ``[webrtc] ice_servers = [...]`` in ``.streamlit/secrets.toml``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any


def ice_servers(env: Mapping[str, str] | None = None, secrets: Mapping[str, Any] | None = None) -> list[dict]:
    """The configured ICE servers (possibly empty). Invalid JSON raises ValueError with a clear message."""
    env = os.environ if env is None else env
    raw = env.get("HINGE_ICE_SERVERS", "").strip()
    if raw:
        try:
            servers = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"HINGE_ICE_SERVERS is not valid JSON ({exc.msg}).") from exc
        return _validated(servers, "HINGE_ICE_SERVERS")
    url = env.get("HINGE_TURN_URL", "").strip()
    if url:
        server: dict[str, Any] = {"urls": [u.strip() for u in url.split(",") if u.strip()]}
        if env.get("HINGE_TURN_USERNAME"):
            server["username"] = env["HINGE_TURN_USERNAME"]
        if env.get("HINGE_TURN_CREDENTIAL"):
            server["credential"] = env["HINGE_TURN_CREDENTIAL"]
        return [server]
    if secrets:
        sec = secrets.get("webrtc") if hasattr(secrets, "get") else None
        if sec and sec.get("ice_servers"):
            return _validated([dict(s) for s in sec["ice_servers"]], "secrets [webrtc] ice_servers")
    return []


def _validated(servers: Any, where: str) -> list[dict]:
    if not isinstance(servers, list) or not all(isinstance(s, dict) and s.get("urls") for s in servers):
        raise ValueError(f"{where} must be a list of objects with a 'urls' entry.")
    return [dict(s) for s in servers]


def rtc_configuration(servers: list[dict]) -> dict:
    """The RTCConfiguration dict for streamlit-webrtc (an explicit list, so it adds no default server)."""
    return {"iceServers": list(servers)}
