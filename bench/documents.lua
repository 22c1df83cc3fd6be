-- wrk script: POST /v1/receipts with the bodies of a file, one per line, each sent once
-- (bench/submissions.py writes the file: the simulated till's receipts, distinct card
-- data, in the platform's JSON, Kivra's JSON or ARTS XML). Thread n of N sends lines n, n+N, ...
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  bodies = {}
  local count = tonumber(os.getenv("RECEIPTS_THREADS"))
  local number = 0
  for line in io.lines(os.getenv("RECEIPTS_FILE")) do
    if number % count == id then
      bodies[#bodies + 1] = line
    end
    number = number + 1
  end
  next_body = 0
  headers = {["Content-Type"] = os.getenv("RECEIPTS_TYPE"),
             ["Authorization"] = "Bearer " .. os.getenv("RECEIPTS_KEY")}
end

request = function()
  next_body = next_body % #bodies + 1
  return wrk.format("POST", "/v1/receipts", headers, bodies[next_body])
end
