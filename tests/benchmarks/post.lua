-- wrk script: POSTs one GraphQL body (file given by the BODY_FILE environment variable) and counts
-- answers that are not HTTP 200 or whose length differs from EXPECTED_LENGTH; done() prints one
-- JSON line starting with "RESULT " that run.py parses.
local body_file = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = body_file:read("*a")
body_file:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/graphql-response+json, application/json"

local expected_length = tonumber(os.getenv("EXPECTED_LENGTH") or "0")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad_status = 0
  bad_length = 0
end

function response(status, headers, body)
  if status ~= 200 then
    bad_status = bad_status + 1
  elseif expected_length > 0 and #body ~= expected_length then
    bad_length = bad_length + 1
  end
end

function done(summary, latency, requests)
  local status, length = 0, 0
  for _, thread in ipairs(threads) do
    status = status + thread:get("bad_status")
    length = length + thread:get("bad_length")
  end
  local errors = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "bad_status": %d, "bad_length": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, status, length,
    errors.connect + errors.read + errors.write + errors.timeout
  ))
end
