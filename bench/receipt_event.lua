-- wrk script: POST a fresh receipts.receipt.submitted.v1 CloudEvent (new event and receipt
-- ids) on every request, as the queue trigger delivers them to project_read_model.
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
local merchant = "5d6c7b8a-1234-4abc-8def-0123456789ab"

local function uuid()
  return (string.gsub("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", "[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end

local template = [[{"specversion": "1.0", "id": "%s", "source": "urn:receipts:write-model",
 "type": "receipts.receipt.submitted.v1", "subject": "%s", "time": "2026-11-26T12:00:00+00:00",
 "datacontenttype": "application/json",
 "data": {"id": "%s", "merchant_id": "%s", "merchant_receipt_id": "BENCH-%s", "status": "unmatched",
  "issued_at": "2026-11-26T13:45:10+01:00", "currency": "EUR",
  "lines": [{"description": "Espresso", "sku": "ESP-1", "quantity": 2, "unit_price": 250, "amount": 500},
            {"description": "Croissant", "sku": null, "quantity": 1, "unit_price": 320, "amount": 320}],
  "totals": {"subtotal": 820, "tax": 0, "tip": 0, "total": 820},
  "payments": [{"masked_pan": "412345******1234", "auth_code": "A1B2C3", "amount": 820, "currency": "EUR",
                "transaction_date": "2026-11-26", "transaction_time": "13:45:02", "terminal_id": "T0001",
                "rrn": "633012345678", "scheme": "VISA"}],
  "bank_ids": [], "submitted_at": "2026-11-26T12:00:00+00:00", "version": 1}}]]

request = function()
  local event_id, receipt_id = uuid(), uuid()
  local body = string.format(template, event_id, receipt_id, receipt_id, merchant, receipt_id)
  return wrk.format("POST", "/", {["Content-Type"] = "application/cloudevents+json"}, body)
end
