-- gateway_event.lua — wrk script for bench/gateway.sh: POST /e with a realistic first-party
-- event (page URL with a query, title, referrer, consent, user data, params with PHI in a
-- string), a fresh UUID event_id per request so that every request is spooled.
-- The event_id's first group is the run (PW_RUN, else the clock's seconds) and the wrk thread:
-- each run of bench/gateway.sh (warm-up, ingest-only, with delivery, paced) sends ids no earlier
-- run sent, so none is answered as a duplicate (the ids used to restart with every run, so every
-- run after the first measured duplicates, which are neither queued nor delivered).
local run = tonumber(os.getenv("PW_RUN") or "") or (os.time() % 0x1000000)
local counter = 0
local tid = 0
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  tid = tonumber(wrk.thread:get("tid")) or 0
end

local body_fmt = '{"event_id":"%08x-%04x-4%03x-8%03x-%012x","name":"appointment_request",' ..
  '"time":%d,"page_url":"https://www.example-hospital.org/find-a-doctor/cardiology?doctor=jane-smith&utm_source=x",' ..
  '"page_title":"Request an appointment | Example Hospital","referrer":"https://www.google.com/",' ..
  '"consent":{"ads":true,"analytics":true},"user":{"email":"Visitor.%d@example.com","phone":"(555) 010-%04d"},' ..
  '"fpid":"c0ffee00-1111-4222-8333-%012x","params":{"value":150,"currency":"USD",' ..
  '"note":"follow-up for chest pain","doctor":"jane-smith"}}'

function request()
  counter = counter + 1
  local body = string.format(body_fmt, (run * 256 + tid) % 0x100000000, counter % 65536, counter % 4096, tid % 4096, counter,
    os.time() * 1000, counter, counter % 10000, counter)
  return wrk.format("POST", "/e", {["Content-Type"] = "text/plain"}, body)
end

-- Paced runs (bench/gateway.sh's fixed-rate phase): PW_RATE events/s offered in all, split over
-- PW_THREADS wrk threads. Each thread keeps its own send schedule (one slot every
-- PW_THREADS*1000/PW_RATE ms) and delays every connection's next request until the next free
-- slot, so the offered rate does not fall when responses get slower (as a fixed pause after
-- each response would); when every connection is busy the achieved rate falls short and the
-- script reports both. wrk delays in whole milliseconds; slots average out to the rate.
local rate = tonumber(os.getenv("PW_RATE") or "")
if rate then
  local ffi = require("ffi")
  ffi.cdef [[
    typedef struct { long tv_sec; long tv_nsec; } pw_timespec;
    int clock_gettime(int clk, pw_timespec *ts);
  ]]
  local ts = ffi.new("pw_timespec")
  local function now_ms()
    ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
    return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
  end
  local interval = (tonumber(os.getenv("PW_THREADS") or "1") or 1) * 1000 / rate
  local next_at = nil
  function delay()
    local now = now_ms()
    if not next_at then next_at = now end
    local at = next_at
    next_at = next_at + interval
    local wait = at - now
    if wait < 1 then return 0 end
    return math.floor(wait)
  end
end
