-- wrk script: POST a valid receipt with a fresh merchant_receipt_id on every request.
-- The merchant's key comes in the environment (RECEIPTS_KEY); each wrk thread numbers its own.
local counter = 0
local thread_tag = tostring(math.random(1, 1e9))

local template = [[{"merchant_receipt_id": "BENCH-%s-%d", "issued_at": "2026-11-26T13:45:10+01:00",
 "currency": "EUR",
 "lines": [{"description": "Espresso", "sku": "ESP-1", "quantity": 2, "unit_price": 250, "amount": 500},
           {"description": "Croissant", "quantity": 1, "unit_price": 320, "amount": 320}],
 "totals": {"subtotal": 820, "tax": 0, "tip": 0, "total": 820},
 "payments": [{"masked_pan": "412345******1234", "auth_code": "A1B2C3", "amount": 820, "currency": "EUR",
               "transaction_date": "2026-11-26", "transaction_time": "13:45:02", "terminal_id": "T0001",
               "rrn": "633012345678", "scheme": "VISA"}]}]]

function setup(thread)
  thread:set("thread_tag", tostring(math.random(1, 1e9)))
end

function init(args)
  math.randomseed(os.time())
  thread_tag = thread_tag .. "-" .. tostring(math.random(1, 1e9))
end

request = function()
  counter = counter + 1
  local body = string.format(template, thread_tag, counter)
  return wrk.format("POST", "/v1/receipts", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. os.getenv("RECEIPTS_KEY"),
  }, body)
end
