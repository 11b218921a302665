-- wrk script for the Selfserve benchmark.
--
-- With BENCH_IDS_FILE set, every request is GET /orders for one customer picked at random
-- (seeded per thread, so runs repeat) from that file, one id per line, with
-- includes=BENCH_INCLUDES and limit=BENCH_LIMIT, authenticated by BENCH_KEY.
-- Without it, wrk sends its fixed request (the URL given on the command line).
-- In both cases done() prints one machine-readable line starting with BENCH_JSON.

local ids_file = os.getenv("BENCH_IDS_FILE")
local key = os.getenv("BENCH_KEY")
local limit = os.getenv("BENCH_LIMIT") or "50"
local includes = os.getenv("BENCH_INCLUDES") or "assets,invoices"
local threads = 0
local ids = {}

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  if key and key ~= "" then
    wrk.headers["nue-api-key"] = key
  end
  if ids_file then
    for line in io.lines(ids_file) do
      if #line > 0 then
        ids[#ids + 1] = line
      end
    end
    math.randomseed(42 + (tid or 0))
  end
end

if ids_file then
  function request()
    local id = ids[math.random(#ids)]
    local path = "/orders?customerIds=%5B%22" .. id .. "%22%5D&includes=" .. includes
      .. "&limit=" .. limit
    return wrk.format("GET", path)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect_errors":%d,'
      .. '"read_errors":%d,"write_errors":%d,"status_errors":%d,"timeouts":%d,'
      .. '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean))
end
