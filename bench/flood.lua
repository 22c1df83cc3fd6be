-- wrk script: a merchant flooding the platform with receipts (bench/flood.py). Each thread
-- counts what came back: created (201), limited (429, and how many said Retry-After), other.
local counter = 0
local thread_tag = ""
-- Globals: wrk reads them from each thread when it is done.
created, limited, retry_after, other = 0, 0, 0, 0
local threads = {}

local template = [[{"merchant_receipt_id": "FLOOD-%s-%d", "issued_at": "2026-11-26T13:45:10+01:00",
 "currency": "EUR",
 "lines": [{"description": "Espresso", "quantity": 2, "unit_price": 250, "amount": 500}],
 "totals": {"subtotal": 500, "tax": 0, "tip": 0, "total": 500},
 "payments": [{"masked_pan": "412345******1234", "auth_code": "A1B2C3", "amount": 500, "currency": "EUR",
               "transaction_date": "2026-11-26", "transaction_time": "13:45:02", "terminal_id": "T0001",
               "rrn": "633012345678", "scheme": "VISA"}]}]]

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + math.random(1, 1e6))
  thread_tag = tostring(math.random(1, 1e9))
end

request = function()
  counter = counter + 1
  return wrk.format("POST", "/v1/receipts", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. os.getenv("RECEIPTS_KEY"),
  }, string.format(template, thread_tag, counter))
end

response = function(status, headers, body)
  if status == 201 then
    created = created + 1
  elseif status == 429 then
    limited = limited + 1
    if headers["Retry-After"] then retry_after = retry_after + 1 end
  else
    other = other + 1
  end
end

done = function(summary, latency, requests)
  local totals = {created = 0, limited = 0, retry_after = 0, other = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do totals[name] = totals[name] + thread:get(name) end
  end
  io.write(string.format('FLOOD {"created": %d, "limited": %d, "retry_after": %d, "other": %d}\n',
    totals.created, totals.limited, totals.retry_after, totals.other))
end
