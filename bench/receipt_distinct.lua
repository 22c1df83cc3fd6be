-- wrk script: POST a valid receipt with distinct card data on every request, as real
-- traffic has it: its own masked PAN, auth code, amount and time, so `match` finds no
-- look-alike open lines. The merchant's key comes in the environment (RECEIPTS_KEY), and
-- how the card paid in RECEIPT_KIND: plain; wallet (the token's digits, another BIN, the
-- wallet, the account's PAR on half the slips); dcc (charged in SEK at the printed rate).
local counter = 0
local thread_tag = ""

local template = [[{"merchant_receipt_id": "BENCH-%s-%d", "issued_at": "2026-11-26T13:45:10+01:00",
 "currency": "EUR",
 "lines": [{"description": "Espresso", "sku": "ESP-1", "quantity": 2, "unit_price": %d, "amount": %d},
           {"description": "Croissant", "quantity": 1, "unit_price": 320, "amount": 320}],
 "totals": {"subtotal": %d, "tax": 0, "tip": 0, "total": %d},
 "payments": [{"masked_pan": "%s******%04d", "auth_code": "%s", "amount": %d, "currency": "EUR",
               "transaction_date": "2026-11-%02d", "transaction_time": "%02d:%02d:%02d", "terminal_id": "T%04d",
               "rrn": "6330%08d", "scheme": "VISA"%s}]}]]

local kind = os.getenv("RECEIPT_KIND") or "plain"
local alphanumerics = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

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

local function par()
  local characters = {"V001"}
  for i = 1, 25 do
    local n = math.random(1, #alphanumerics)
    characters[#characters + 1] = alphanumerics:sub(n, n)
  end
  return table.concat(characters)
end

-- The card's first 6 digits as printed, and what the card line says beyond the plain slip.
local function how_paid(total)
  if kind == "wallet" then
    local extra = ', "wallet": "apple_pay"'
    if math.random() < 0.5 then
      extra = extra .. ', "par": "' .. par() .. '"'
    end
    return "489537", extra
  elseif kind == "dcc" then
    return string.format("4%05d", math.random(0, 99999)), string.format(
      ', "dcc": {"currency": "SEK", "amount": %d, "exchange_rate": "11.6161", "markup_percent": "3.5"}',
      math.floor(total * 11.6161 + 0.5))
  end
  return string.format("4%05d", math.random(0, 99999)), ""
end

request = function()
  counter = counter + 1
  local unit = math.random(100, 5000)
  local total = 2 * unit + 320
  local first6, extra = how_paid(total)
  local body = string.format(template, thread_tag, counter, unit, 2 * unit, total, total,
    first6, math.random(0, 9999), auth_code(), total,
    math.random(1, 26), math.random(0, 23), math.random(0, 59), math.random(0, 59), math.random(1, 9999),
    math.random(0, 99999999), extra)
  return wrk.format("POST", "/v1/receipts", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. os.getenv("RECEIPTS_KEY"),
  }, body)
end
