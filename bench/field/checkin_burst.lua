-- wrk script of the morning burst (bench/field/run.sh). Every rep of tokens.csv checks in
-- at its customer with its own bearer token and a unique clientId, then (in its next
-- turn) checks out, then in again …: requests go round the reps, so the first
-- len(tokens.csv) requests are the 10,000 morning check-ins and the run sustains the
-- same mix for as long as wrk runs. Each wrk thread takes every n-th rep.
--
-- A rep's requests are sequential, as on one phone: a rep is not sent again while its
-- previous request is unanswered (the request carries X-Request-Id "rep-<index>", which
-- the server echoes, so the response names its rep); the round-robin skips such a rep.
-- Without this, one rep's check-out could reach the server on another connection before
-- its check-in had committed and fail with visits.no_open_visit.
--
-- The number of wrk threads is the third argument (the same as -t): wrk calls setup()
-- and init() of thread i and starts it before it calls setup() of thread i+1, so a
-- thread cannot learn the total from setup() — before session 8 it tried, and thread 0
-- took every rep while thread 1 took the odd ones: half the reps were sent by both
-- threads for the whole run (copies answered as replays, R-VISIT-35).
--   wrk -t2 -c64 -d20s --latency -s checkin_burst.lua URL -- tokens.csv RUN 2
local threads = {}
local counter = 0

function setup(thread)
  thread:set("thread_index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local tokens_file = args[1]
  run = args[2] or "1"
  thread_total = tonumber(args[3] or "")
  if thread_total == nil or thread_index >= thread_total then
    error("checkin_burst.lua: the third argument must be wrk's thread count (-t)")
  end
  reps = {}
  for line in io.lines(tokens_file) do
    local token, customer, lat, lng = line:match("([^,]+),([^,]+),([^,]+),([^,]+)")
    table.insert(reps, {token = token, customer = customer, lat = tonumber(lat), lng = tonumber(lng)})
  end
  -- This thread's reps (0-based indexes into reps), its position in them, each rep's
  -- requests sent so far and whether one is unanswered.
  mine = {}
  for index = thread_index, #reps - 1, thread_total do table.insert(mine, index) end
  mine_count = #mine
  -- Session 10: everything of a rep's request that does not change between its requests is
  -- built once here (the head with its token and X-Request-Id, the body around the round
  -- number, kind and time), so request() only joins a few strings; the time text is made
  -- once per second. The requests are byte for byte those wrk.format made before (but for
  -- the order of the header lines, which wrk.format took from a hash table): the load
  -- generator's own CPU per request was the point (docs/benchmarks.md, session 10).
  local host = wrk.headers["Host"] or (wrk.host .. ":" .. wrk.port)
  for _, index in ipairs(mine) do
    local rep = reps[index + 1]
    rep.head = "POST /api/v1/check-ins HTTP/1.1\r\nHost: " .. host .. "\r\nAuthorization: Bearer " .. rep.token ..
               "\r\nContent-Type: application/json\r\nX-Request-Id: rep-" .. index .. "\r\nContent-Length: "
    rep.body_start = '{"clientId":"bench-' .. run .. "-"
    rep.body_index = "-" .. index .. '","kind":"'
    rep.body_rest = string.format('","customerId":"%s","lat":%.6f,"lng":%.6f,"accuracyM":25,"capturedAt":"',
                                  rep.customer, rep.lat + 0.0004, rep.lng)
  end
  clock_second = -1
  clock_text = ""
  position = 0
  sent = {}
  busy = {}
  failures = 0
  unmatched = 0
  replays = 0
end

function request()
  -- The next rep in turn that has no request in flight (there are far more reps than
  -- connections, so the scan is short).
  local index
  for _ = 1, mine_count do
    local candidate = mine[(position % mine_count) + 1]
    position = position + 1
    if not busy[candidate] then
      index = candidate
      break
    end
  end
  if index == nil then index = mine[(position % mine_count) + 1]; position = position + 1 end
  local rep = reps[index + 1]
  local round = sent[index] or 0
  sent[index] = round + 1
  busy[index] = true
  local now = os.time()
  if now ~= clock_second then
    clock_second = now
    clock_text = os.date("!%Y-%m-%dT%H:%M:%S.000Z", now)
  end
  local body = rep.body_start .. round .. rep.body_index .. ((round % 2 == 0) and "in" or "out") .. rep.body_rest ..
               clock_text .. '"}'
  return rep.head .. #body .. "\r\n\r\n" .. body
end

function response(status, headers, body)
  local id = headers["X-Request-Id"] or headers["x-request-id"]
  local index = id and id:sub(1, 4) == "rep-" and tonumber(id:sub(5))
  if index then busy[index] = nil else unmatched = unmatched + 1 end
  -- A 200 is a copy answered as a replay (R-VISIT-35): none is expected, each request
  -- carries a new clientId.
  if status == 200 then replays = replays + 1 end
  if status ~= 201 and status ~= 200 then
    failures = failures + 1
    if failures <= 3 then io.stderr:write("status " .. status .. ": " .. body .. "\n") end
  end
end

function done(summary, latency, requests)
  local failed, lost, replayed = 0, 0, 0
  for _, thread in ipairs(threads) do
    failed = failed + (thread:get("failures") or 0)
    lost = lost + (thread:get("unmatched") or 0)
    replayed = replayed + (thread:get("replays") or 0)
  end
  io.write(string.format("burst_failures %d\n", failed))
  io.write(string.format("burst_replays %d\n", replayed))
  if lost > 0 then io.write(string.format("burst_unmatched_responses %d\n", lost)) end
end
