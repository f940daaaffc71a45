-- One wrk scenario, configured through environment variables:
--   METHOD, BODY (JSON text), TOKEN (bearer), TOKENS_FILE (one refresh token per line:
--   each request consumes the next one, split between threads).
-- At the end it prints one JSON line with throughput and latency percentiles (ms).
local method = os.getenv("METHOD") or "GET"
local body = os.getenv("BODY")
local token = os.getenv("TOKEN")
local tokens_file = os.getenv("TOKENS_FILE")

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  headers = { ["content-type"] = "application/json" }
  if token then headers["authorization"] = "Bearer " .. token end
  refresh = {}
  if tokens_file then
    local index = 0
    for line in io.lines(tokens_file) do
      if index % counter_total() == id then table.insert(refresh, line) end
      index = index + 1
    end
  end
  next_refresh = 1
end

function counter_total()
  return tonumber(os.getenv("THREADS") or "2")
end

function request()
  if #refresh > 0 then
    local t = refresh[next_refresh] or refresh[#refresh]
    next_refresh = next_refresh + 1
    return wrk.format("POST", nil, headers, '{"refresh_token":"' .. t .. '"}')
  end
  return wrk.format(method, nil, headers, body)
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"p50":%.2f,"p99":%.2f,"non2xx":%d,"errors":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status, errors))
end
