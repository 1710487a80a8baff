-- The benchmark's wrk script (scripts/bench/wrk.py runs it): one endpoint's requests, and one JSON line at the end.
--
-- Arguments after wrk's `--`, each `key=value`:
--   method=GET|POST        the request method
--   expect=200             the one status that counts as success; any other is an error
--   seed=12345             seeds math.random (each thread adds its own number to it)
--   header=Name: value     a request header (repeatable)
--   expire_at=<timestamp>  POST a fresh body per request: {"routeId": <random UUID>, "expireAt": <timestamp>}
--
-- wrk's own summary.errors.status counts only statuses > 399, so each thread counts what it did not expect in
-- response(), and done() reads those counters through the threads that setup() kept (wrk's SCRIPTING file).

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("thread_number", #threads)
end

local expect, expire_at

function init(args)
   local seed = 0
   for i = 1, #args do
      local key, value = args[i]:match("^([%w_]+)=(.*)$")
      if key == "method" then
         wrk.method = value
      elseif key == "expect" then
         expect = tonumber(value)
      elseif key == "seed" then
         seed = tonumber(value)
      elseif key == "header" then
         local name, header_value = value:match("^([^:]+):%s*(.*)$")
         wrk.headers[name] = header_value
      elseif key == "expire_at" then
         expire_at = value
         wrk.headers["Content-Type"] = "application/json"
      else
         error("unknown argument: " .. args[i])
      end
   end
   if expect == nil then
      error("expect=<status> is missing")
   end
   math.randomseed(seed + thread_number)
   if expire_at == nil then
      request = nil -- no body to make: wrk then sends one prepared request over and over, which costs less
   end
   unexpected = {} -- status (as a string) -> count; a global, so that done() can read it
end

local function random_uuid()
   local r = math.random
   return string.format(
      "%04x%04x-%04x-4%03x-%04x-%04x%04x%04x",
      r(0, 0xffff), r(0, 0xffff), r(0, 0xffff), r(0, 0xfff), 0x8000 + r(0, 0x3fff), r(0, 0xffff), r(0, 0xffff),
      r(0, 0xffff)
   )
end

function request()
   local body = string.format('{"routeId":"%s","expireAt":"%s"}', random_uuid(), expire_at)
   return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
   if status ~= expect then
      local key = tostring(status)
      unexpected[key] = (unexpected[key] or 0) + 1
   end
end

function done(summary, latency, requests)
   local statuses = {}
   local totals = {}
   for _, thread in ipairs(threads) do
      for status, count in pairs(thread:get("unexpected") or {}) do
         totals[status] = (totals[status] or 0) + count
      end
   end
   for status, count in pairs(totals) do
      table.insert(statuses, string.format('"%s":%d', status, count))
   end
   local errors = summary.errors
   io.write(string.format(
      '{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,'
         .. '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},"unexpected":{%s}}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
      errors.connect, errors.read, errors.write, errors.timeout, table.concat(statuses, ",")
   ))
end
