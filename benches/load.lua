-- The mixed load of benches/load.sh, for wrk (Debian's): nine reads to every write, each request's
-- time kept by kind so the dashboard and the writes have their own p50 and p99.
--
-- wrk runs this once per thread; load.sh starts one thread per connection (-t = -c), so within a
-- thread a request is always answered before the next is sent, and the time between request()
-- and response() is that request's latency, measured with CLOCK_MONOTONIC through LuaJIT's ffi.
--
-- Settings come from the environment (load.sh sets them): OHGOV_LOAD_COOKIE, OHGOV_LOAD_CSRF,
-- OHGOV_LOAD_TOKEN, OHGOV_LOAD_PROVIDER, OHGOV_LOAD_STAFF (person ids, separated by commas),
-- OHGOV_LOAD_STANDARDS (standard references, separated by commas), OHGOV_LOAD_OWNER (the user id
-- the saved standards name as owner), OHGOV_LOAD_MIX ("mixed", "dashboard" or "healthz") and
-- OHGOV_LOAD_OUT (the folder for the threads' lines).

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } ohgov_timespec;
  int clock_gettime(int clock_id, ohgov_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("ohgov_timespec")
local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

local function env(name)
  local value = os.getenv(name)
  if value == nil or value == "" then
    error(name .. " is not set (benches/load.sh sets it)")
  end
  return value
end

local function split(text)
  local parts = {}
  for part in string.gmatch(text, "[^,]+") do
    parts[#parts + 1] = part
  end
  return parts
end

local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
end

local mix, cookie, csrf, token, base, staff, standards, owner
local sequence = 0
local sent_kind, sent_at
-- Each thread writes one line per response, "kind milliseconds status", to its own file under
-- OHGOV_LOAD_OUT (line-buffered: wrk has no end-of-thread hook to flush in), and load.sh counts
-- them. Not through done(): Debian's wrk crashes now and then copying a thread's tables out.
local out

function init(args)
  mix = os.getenv("OHGOV_LOAD_MIX") or "mixed"
  cookie = env("OHGOV_LOAD_COOKIE")
  if mix == "mixed" then
    csrf = env("OHGOV_LOAD_CSRF")
    token = env("OHGOV_LOAD_TOKEN")
    staff = split(env("OHGOV_LOAD_STAFF"))
    standards = split(env("OHGOV_LOAD_STANDARDS"))
    owner = env("OHGOV_LOAD_OWNER")
  end
  base = "/providers/" .. env("OHGOV_LOAD_PROVIDER")
  out = assert(io.open(string.format("%s/thread-%d.txt", env("OHGOV_LOAD_OUT"), thread_number or 0), "w"))
  out:setvbuf("line")
  -- Each thread starts at its own place in the cycle, so the writes are spread over time.
  sequence = (thread_number or 0) * 7
end

local READS = { "dashboard", "standards", "workforce", "api", "dashboard", "standards", "workforce", "api", "dashboard" }

local function form_body(fields)
  local parts = {}
  for _, pair in ipairs(fields) do
    local value = string.gsub(pair[2], "([^%w%-%.%_%~ ])", function(c)
      return string.format("%%%02X", string.byte(c))
    end)
    parts[#parts + 1] = pair[1] .. "=" .. string.gsub(value, " ", "+")
  end
  return table.concat(parts, "&")
end

local function get(path, headers)
  headers = headers or {}
  headers["Cookie"] = cookie
  return wrk.format("GET", path, headers)
end

local function post(path, fields)
  return wrk.format("POST", path, {
    ["Cookie"] = cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, form_body(fields))
end

-- A write the database can be asked about afterwards: each save names its thread and number, so no
-- two are the same and none is a no-op.
local function write(kind)
  local mark = string.format("load %d-%d", thread_number or 0, sequence)
  if kind == "save_standard" then
    local reference = standards[math.floor(sequence / 10) % #standards + 1]
    return post(base .. "/assessment/" .. reference, {
      { "csrf_token", csrf },
      { "workflow", "in_progress" },
      { "result", "partly_met" },
      { "not_applicable_reason", "" },
      { "owner_user_id", owner },
      { "target_on", "" },
      { "narrative", "Reviewed under load (" .. mark .. "): the policy and its audit are in the library." },
    })
  end
  local person = staff[math.floor(sequence / 20) % #staff + 1]
  return post(base .. "/workforce/staff/" .. person .. "/cpd", {
    { "csrf_token", csrf },
    { "reflective", "no" },
    { "date", os.date("!%Y-%m-%d") },
    { "title", "Case-based discussion (" .. mark .. ")" },
    { "activity_type", "peer_discussion" },
    { "hours", "1" },
  })
end

function request()
  sequence = sequence + 1
  local kind
  if mix == "healthz" then
    kind = "healthz"
  elseif mix == "dashboard" then
    kind = "dashboard"
  elseif sequence % 10 == 0 then
    kind = math.floor(sequence / 10) % 2 == 0 and "save_standard" or "add_cpd"
  else
    kind = READS[sequence % 10]
  end
  sent_kind = kind
  sent_at = now_ms()
  if kind == "healthz" then
    return wrk.format("GET", "/healthz")
  elseif kind == "dashboard" then
    return get(base)
  elseif kind == "standards" then
    return get(base .. "/assessment")
  elseif kind == "workforce" then
    return get(base .. "/workforce")
  elseif kind == "api" then
    return wrk.format("GET", "/api/v1" .. base .. "/readiness", { ["Authorization"] = "Bearer " .. token })
  end
  return write(kind)
end

function response(code, headers, body)
  if sent_kind ~= nil then
    out:write(string.format("%s %.3f %d\n", sent_kind, now_ms() - sent_at, code))
    sent_kind = nil
  end
end
