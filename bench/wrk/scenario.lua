-- One wrk scenario, configured through environment variables:
--   METHOD, BODY (JSON text), TOKEN (bearer), TOKENS_FILE (one refresh token per line:
--   each request consumes the next one, split between threads).
--   MATCH (a literal string) and MATCH_COUNT (default 1): every answer must be 2xx and its
--   body must contain MATCH exactly MATCH_COUNT times (e.g. '"emotion_type_id"' 20 times
--   for a page of 20 check-ins). Without MATCH only the status is checked.
-- At the end it prints one JSON line with throughput, latency percentiles (ms), and how
-- many answers were checked, were not 2xx, or had the wrong body.
local method = os.getenv("METHOD") or "GET"
local body = os.getenv("BODY")
local token = os.getenv("TOKEN")
local tokens_file = os.getenv("TOKENS_FILE")
local match = os.getenv("MATCH")
local match_count = tonumber(os.getenv("MATCH_COUNT") or "1")

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
  checked = 0
  bad_status = 0
  bad_body = 0
  first_bad = ""
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

local function occurrences(text, needle)
  local n, from = 0, 1
  while true do
    local s, e = string.find(text, needle, from, true)
    if not s then return n end
    n = n + 1
    from = e + 1
  end
end

function response(status, headers, response_body)
  checked = checked + 1
  if status < 200 or status > 299 then
    bad_status = bad_status + 1
    if first_bad == "" then first_bad = status .. " " .. string.sub(response_body or "", 1, 200) end
  elseif match and occurrences(response_body or "", match) ~= match_count then
    bad_body = bad_body + 1
    if first_bad == "" then first_bad = status .. " " .. string.sub(response_body or "", 1, 200) end
  end
end

local function json_string(s)
  return '"' .. string.gsub(s, '[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end) .. '"'
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  local total_checked, total_bad_status, total_bad_body, sample = 0, 0, 0, ""
  for _, thread in ipairs(threads) do
    total_checked = total_checked + (thread:get("checked") or 0)
    total_bad_status = total_bad_status + (thread:get("bad_status") or 0)
    total_bad_body = total_bad_body + (thread:get("bad_body") or 0)
    if sample == "" then sample = thread:get("first_bad") or "" end
  end
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"p50":%.2f,"p99":%.2f,"errors":%d,"checked":%d,"badStatus":%d,"badBody":%d,"firstBad":%s}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors,
    total_checked, total_bad_status, total_bad_body, json_string(sample)))
end
