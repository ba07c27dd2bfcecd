-- gateway_event.lua — wrk script for bench/gateway.sh: POST /e with a realistic first-party
-- event (page URL with a query, title, referrer, consent, user data, params with PHI in a
-- string), a fresh UUID event_id per request so that every request is spooled.
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
  local body = string.format(body_fmt, tid, counter % 65536, counter % 4096, tid % 4096, counter,
    os.time() * 1000, counter, counter % 10000, counter)
  return wrk.format("POST", "/e", {["Content-Type"] = "text/plain"}, body)
end

-- Paced runs (bench/gateway.sh's fixed-rate phase): each connection waits PW_PACE_MS between
-- requests, so C connections offer about C * 1000 / PW_PACE_MS events/s.
local pace = tonumber(os.getenv("PW_PACE_MS") or "")
if pace then
  function delay()
    return pace
  end
end
