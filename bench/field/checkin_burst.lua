-- wrk script of the morning burst (bench/field/run.sh). Every rep of tokens.csv checks in
-- at its customer with its own bearer token and a unique clientId, then (in the next
-- round) checks out, then in again …: requests go round the reps, so the first
-- len(tokens.csv) requests are the 10,000 morning check-ins and the run sustains the
-- same mix for as long as wrk runs. Each wrk thread takes every n-th rep.
--   wrk -t2 -c64 -d20s --latency -s checkin_burst.lua URL -- tokens.csv RUN
local threads = {}
local counter = 0

function setup(thread)
  thread:set("thread_index", counter)
  counter = counter + 1
  table.insert(threads, thread)
  -- Every setup runs before any thread starts: the last one tells all the total.
  for _, t in ipairs(threads) do t:set("thread_total", counter) end
end

function init(args)
  local tokens_file = args[1]
  run = args[2] or "1"
  reps = {}
  for line in io.lines(tokens_file) do
    local token, customer, lat, lng = line:match("([^,]+),([^,]+),([^,]+),([^,]+)")
    table.insert(reps, {token = token, customer = customer, lat = tonumber(lat), lng = tonumber(lng)})
  end
  next_index = thread_index
  failures = 0
end

function request()
  local index = next_index
  next_index = next_index + thread_total
  local rep = reps[(index % #reps) + 1]
  local round = math.floor(index / #reps)
  local kind = (round % 2 == 0) and "in" or "out"
  local body = string.format(
    '{"clientId":"bench-%s-%d-%d","kind":"%s","customerId":"%s","lat":%.6f,"lng":%.6f,"accuracyM":25,"capturedAt":"%s"}',
    run, round, index % #reps, kind, rep.customer, rep.lat + 0.0004, rep.lng, os.date("!%Y-%m-%dT%H:%M:%S.000Z"))
  return wrk.format("POST", "/api/v1/check-ins",
                    {["Authorization"] = "Bearer " .. rep.token, ["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  if status ~= 201 and status ~= 200 then
    failures = failures + 1
    if failures <= 3 then io.stderr:write("status " .. status .. ": " .. body .. "\n") end
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do failed = failed + (thread:get("failures") or 0) end
  io.write(string.format("burst_failures %d\n", failed))
end
