// The Lua side of the health engine, run once per VM. It captures what it needs from the full
// standard library, builds the environments health scripts see, and then removes everything
// that reaches outside the VM (io, os, debug, package, require, load, dofile, loadfile) from the
// VM's real globals, so neither scripts nor the chunks that carry objects can reach them.
//
// Argo CD's contract (util/lua/lua.go): scripts from its built-in directory and overrides with
// `useOpenLibs` get the standard libraries; other overrides get only base, table and a safe `os`
// (time and date) through `require("os")`. Here "standard libraries" means string, math, table,
// coroutine and the safe os; io and debug are never granted, `require` only yields the safe os.
// Lua 5.1 names scripts written for gopher-lua use (unpack, table.getn, math.pow, string.gfind)
// are provided.
export const LUA_SANDBOX_BOOTSTRAP = `
local type, pairs, next, select, tostring, error, setmetatable, rawget =
      type, pairs, next, select, tostring, error, setmetatable, rawget
local compile_chunk, setupvalue, lower, srep = load, debug.setupvalue, string.lower, string.rep
local MAX_STRING = 16 * 1024 * 1024

local function readonly(t, name)
  return setmetatable({}, {
    __index = t,
    __newindex = function() error("attempt to modify the read-only library '" .. name .. "'", 2) end,
    __metatable = false,
  })
end

local safe_os = { time = os.time, date = os.date, clock = os.clock, difftime = os.difftime }

-- The error a limit raises (from the hook, again at every hook call once stopped). The protected
-- calls scripts get pass it on instead of catching it.
local STOP = setmetatable({}, { __tostring = function() return "execution stopped at a limit" end })
__gk_stop = STOP
-- Set by the hook when a limit stops the run, so an error raised in a message handler (which
-- Lua turns into "error in error handling") cannot hide the stop either.
local FLAGS = { stopped = false }
__gk_flags = FLAGS
local raw_pcall, raw_xpcall, co_resume, co_close = pcall, xpcall, coroutine.resume, coroutine.close
local function pass_stop(ok, ...)
  if FLAGS.stopped or (not ok and (...) == STOP) then error(STOP, 0) end
  return ok, ...
end
local function safe_pcall(f, ...) return pass_stop(raw_pcall(f, ...)) end
local function safe_xpcall(f, handler, ...)
  return pass_stop(raw_xpcall(f, function(e)
    if e == STOP then return STOP end
    return handler(e)
  end, ...))
end
local coroutine_lib = {}
for k, v in pairs(coroutine) do coroutine_lib[k] = v end
coroutine_lib.resume = function(co, ...) return pass_stop(co_resume(co, ...)) end
coroutine_lib.close = function(co) return pass_stop(co_close(co)) end

local function safe_rep(s, n, sep)
  local len = #tostring(s) + (sep and #tostring(sep) or 0)
  if type(n) == "number" and n > 0 and len * n > MAX_STRING then
    error("string.rep: result would exceed " .. MAX_STRING .. " bytes", 2)
  end
  return srep(s, n, sep)
end

local string_lib = {}
for k, v in pairs(string) do string_lib[k] = v end
string_lib.rep = safe_rep
string_lib.gfind = string.gmatch
getmetatable("").__index = string_lib
getmetatable("").__metatable = false

local table_lib = {}
for k, v in pairs(table) do table_lib[k] = v end
table_lib.getn = function(t) return #t end

local math_lib = {}
for k, v in pairs(math) do math_lib[k] = v end
math_lib.pow = function(a, b) return a ^ b end
math_lib.mod = math.fmod
math_lib.ldexp = function(m, e) return m * 2.0 ^ e end

local function sandbox_require(name)
  if name == "os" then return readonly(safe_os, "os") end
  error("module '" .. tostring(name) .. "' is not available to health checks", 2)
end

local function base_env(full)
  local env = {
    assert = assert, error = error, getmetatable = getmetatable, ipairs = ipairs, next = next,
    pairs = pairs, pcall = safe_pcall, rawequal = rawequal, rawget = rawget, rawlen = rawlen,
    rawset = rawset, select = select, setmetatable = setmetatable, tonumber = tonumber,
    tostring = tostring, type = type, xpcall = safe_xpcall, unpack = table.unpack,
    print = function() end, _VERSION = _VERSION,
    table = readonly(table_lib, "table"),
    require = sandbox_require,
  }
  if full then
    env.string = readonly(string_lib, "string")
    env.math = readonly(math_lib, "math")
    env.coroutine = readonly(coroutine_lib, "coroutine")
    env.os = readonly(safe_os, "os")
  end
  return env
end

local FULL_MT = { __index = base_env(true), __metatable = false }
local MIN_MT = { __index = base_env(false), __metatable = false }

local compiled = {}

function __gk_compile(id, src, name, full)
  local fn, err = compile_chunk(src, name, "t", {})
  if not fn then return false, err end
  compiled[id] = { fn, full and FULL_MT or MIN_MT }
  return true
end

function __gk_forget(id)
  compiled[id] = nil
end

local VALID = { Healthy = true, Progressing = true, Suspended = true, Degraded = true, Missing = true, Unknown = true }

local function json_kind(v)
  local t = type(v)
  if t == "boolean" then return "bool" end
  if t == "table" then
    local k = next(v)
    if k == nil or type(k) == "number" then return "array" end
    return "object"
  end
  return t
end

-- Argo CD turns the returned table into JSON and decodes it into {status, message}; these are
-- the outcomes of that round trip.
local function result_of(n, ...)
  local r = nil
  if n > 0 then r = (select(n, ...)) end
  if type(r) ~= "table" then
    return "error", "expect table output from Lua script, not " .. type(r)
  end
  local first = next(r)
  if first == nil or type(first) == "number" then
    return "error", "json: cannot unmarshal array into Go value of type health.HealthStatus"
  end
  local status, message, status_exact, message_exact
  for k, v in pairs(r) do
    if type(k) ~= "string" then return "error", "cannot encode mixed or invalid key types" end
    local vt = type(v)
    if vt == "function" or vt == "userdata" or vt == "thread" then
      return "error", "cannot encode " .. vt .. " to JSON"
    end
    local lk = lower(k)
    if lk == "status" and (k == "status" or not status_exact) then
      status, status_exact = v, k == "status"
    elseif lk == "message" and (k == "message" or not message_exact) then
      message, message_exact = v, k == "message"
    end
  end
  if status ~= nil and type(status) ~= "string" then
    return "error", "json: cannot unmarshal " .. json_kind(status) ..
      " into Go struct field HealthStatus.status of type health.HealthStatusCode"
  end
  if message ~= nil and type(message) ~= "string" then
    return "error", "json: cannot unmarshal " .. json_kind(message) ..
      " into Go struct field HealthStatus.message of type string"
  end
  if status == nil or not VALID[status] then
    return "invalid", "Lua returned an invalid health status"
  end
  return "ok", status, message or ""
end

local function results(...)
  return result_of(select("#", ...), ...)
end

function __gk_run(id, obj)
  FLAGS.stopped = false
  local c = compiled[id]
  if c == nil then return "error", "health script is not loaded" end
  local env = setmetatable({ obj = obj }, c[2])
  env._G = env
  setupvalue(c[1], 1, env)
  return results(c[1]())
end

io = nil
os = nil
debug = nil
package = nil
require = nil
dofile = nil
loadfile = nil
load = nil
collectgarbage = nil
`;
