"""Argo CD's Lua environment for health checks, in a real Lua 5.1 (the `lupa` wheel), as Argo CD v3.5.1 runs a
`resource.customizations.health.*` script of argocd-cm (argoproj/argo-cd v3.5.1, util/lua/lua.go):

- gopher-lua, a Lua 5.1, started with SkipOpenLibs: only the package, base and table libraries are opened,
  plus a safe os with `time` and `date` (util/lua/oslib_safe.go). No string, math, io or debug library, so
  strings have no methods either; a script that needs them fails here as it would there.
- the object is the global `obj`: JSON objects become tables, arrays 1-based tables, null nothing (decodeValue).
- the chunk's return value must be a table; Argo CD encodes it to JSON and reads `status` and `message`. A nil
  return is an empty status, and a status outside Argo CD's health codes becomes Unknown with the message
  "Lua returned an invalid health status" (ExecuteHealthLua, isValidHealthStatusCode).
"""

from __future__ import annotations

import json
from typing import Any

try:
    from lupa import lua51
except ImportError:  # a virtualenv from before lupa was pinned
    raise ImportError("lupa (pinned in requirements-dev.txt) is not installed: run `make venv`.") from None

HEALTH_CODES = ("Unknown", "Progressing", "Suspended", "Healthy", "Degraded", "Missing")
INVALID_STATUS = "Lua returned an invalid health status"

# Lua 5.1's base library as gopher-lua opens it (minus `print`'s output, which does not matter here).
_BASE = [
    "assert", "collectgarbage", "dofile", "error", "getfenv", "getmetatable", "ipairs", "load", "loadfile",
    "loadstring", "module", "next", "pairs", "pcall", "print", "rawequal", "rawget", "rawset", "require", "select",
    "setfenv", "setmetatable", "tonumber", "tostring", "type", "unpack", "xpcall", "newproxy", "_VERSION",
]  # fmt: skip

_SANDBOX = """
function(script, obj, base)
  local env = {}
  for _, name in ipairs(base) do env[name] = _G[name] end
  env._G = env
  env.table = table
  env.package = package
  env.os = {time = os.time, date = os.date}
  env.obj = obj
  local chunk, problem = loadstring(script, "=health.lua")
  if chunk == nil then error(problem, 0) end
  setfenv(chunk, env)
  debug.setmetatable("", nil)  -- no string library: strings have no methods (this runtime serves one call)
  return chunk()
end
"""


_LUA_TYPES = {bool: "boolean", int: "number", float: "number", str: "string"}  # how lupa hands them back


class LuaError(Exception):
    """The script failed to load or raised an error; Argo CD reports the resource's health as Unknown."""


def _to_lua(lua: Any, value: Any) -> Any:
    if isinstance(value, dict):
        return lua.table_from({key: _to_lua(lua, item) for key, item in value.items() if item is not None})
    if isinstance(value, list):
        return lua.table_from([_to_lua(lua, item) for item in value if item is not None])
    return value


def health(script: str, obj: dict[str, Any]) -> dict[str, str]:
    """{'status': ..., 'message': ...} as Argo CD computes it from `script` for the resource `obj`."""
    lua = lua51.LuaRuntime(register_eval=False, register_builtins=False)
    sandbox = lua.eval(_SANDBOX)
    plain = json.loads(json.dumps(obj, default=str))  # what Argo CD has: the object as JSON
    try:
        result = sandbox(script, _to_lua(lua, plain), lua.table_from(_BASE))
    except lua51.LuaError as error:
        raise LuaError(str(error)) from None
    if result is None:
        return {}
    if lua51.lua_type(result) != "table":
        kind = lua51.lua_type(result) or _LUA_TYPES.get(type(result), type(result).__name__)
        raise LuaError(f"expect table output from Lua script, not {kind}")
    if not list(result.keys()):
        return {}  # an empty table is a JSON array to Argo CD: an empty status
    found = {key: str(result[key]) for key in ("status", "message") if result[key] is not None}
    if found.get("status") not in HEALTH_CODES:
        return {"status": "Unknown", "message": INVALID_STATUS}
    return found
