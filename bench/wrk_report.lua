-- wrk script for bench/: bounded request count, optional rotation over paths, JSON summary.
--   WRK_MAX_PER_THREAD  stop a thread after this many responses (0 = only the -d duration bounds it)
--   WRK_PATHS           file with one path per line to rotate over (default: the URL's path)
local max = tonumber(os.getenv("WRK_MAX_PER_THREAD") or "0")
local paths_file = os.getenv("WRK_PATHS")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  count = 0
  bad = 0
  paths = {}
  idx = 0
  if paths_file and paths_file ~= "" then
    for line in io.lines(paths_file) do
      if line ~= "" then table.insert(paths, line) end
    end
  end
end

function request()
  if #paths > 0 then
    idx = idx % #paths + 1
    return wrk.format("GET", paths[idx])
  end
  return wrk.format()
end

function response(status, headers, body)
  count = count + 1
  if status >= 400 then bad = bad + 1 end
  if max > 0 and count >= max then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local status4xx5xx = 0
  for _, t in ipairs(threads) do status4xx5xx = status4xx5xx + (t:get("bad") or 0) end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"errors_connect":%d,"errors_read":%d,"errors_write":%d,"errors_timeout":%d,"errors_status":%d,"status_4xx_5xx":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.timeout, e.status, status4xx5xx))
end
