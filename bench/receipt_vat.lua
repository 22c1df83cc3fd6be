-- wrk script: as receipt_distinct.lua, but the receipt a European till prints (SPEC §12):
-- gross prices at 19 % and 7 %, a discount, the VAT per rate stated (and checked), and
-- half of the slips showing the card's last 4 digits only.
local counter = 0
local thread_tag = ""

local template = [[{"merchant_receipt_id": "BENCH-VAT-%s-%d", "issued_at": "2026-11-26T13:45:10+01:00",
 "currency": "EUR", "prices_include_vat": true,
 "lines": [{"description": "Espresso", "sku": "ESP-1", "quantity": 2, "unit_price": %d, "amount": %d, "vat_rate": 19},
           {"description": "Croissant", "quantity": 1, "unit_price": 350, "amount": 320, "vat_rate": 7,
            "discounts": [{"description": "Member", "amount": 30}]}],
 "totals": {"subtotal": %d, "tax": %d, "tip": 0, "total": %d,
            "vat": [{"rate": 19, "net": %d, "vat": %d, "gross": %d}, {"rate": 7, "net": 299, "vat": 21, "gross": 320}]},
 "payments": [{"masked_pan": "%s", "auth_code": "%s", "amount": %d, "currency": "EUR",
               "transaction_date": "2026-11-%02d", "transaction_time": "%02d:%02d:%02d", "terminal_id": "T%04d",
               "rrn": "6330%08d", "scheme": "VISA"}]}]]

local letters = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

local function auth_code()
  local code = {}
  for i = 1, 6 do
    local n = math.random(1, #letters)
    code[i] = letters:sub(n, n)
  end
  return table.concat(code)
end

function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1e6) + math.random(1, 1e6))
  thread_tag = tostring(math.random(1, 1e9))
end

request = function()
  counter = counter + 1
  local unit = math.random(100, 5000)
  local gross19 = 2 * unit
  local vat19 = math.floor((gross19 * 19 * 2 + 119) / 238)  -- gross × 19/119, half up
  local total = gross19 + 320
  local pan
  if counter % 2 == 0 then
    pan = string.format("************%04d", math.random(0, 9999))
  else
    pan = string.format("4%05d******%04d", math.random(0, 99999), math.random(0, 9999))
  end
  local body = string.format(template, thread_tag, counter, unit, gross19, total, vat19 + 21, total,
    gross19 - vat19, vat19, gross19, pan, auth_code(), total,
    math.random(1, 26), math.random(0, 23), math.random(0, 59), math.random(0, 59), math.random(1, 9999),
    math.random(0, 99999999))
  return wrk.format("POST", "/v1/receipts", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. os.getenv("RECEIPTS_KEY"),
  }, body)
end
