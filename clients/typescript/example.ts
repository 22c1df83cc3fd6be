// How a bank app or web view uses the generated types (schema.d.ts): it reads a receipt
// view, and takes a bank callback. `npm run check` (tsc --noEmit) type-checks it.
import type { components } from "./schema";

type ReceiptView = components["schemas"]["ReceiptView"];
type ErrorResponse = components["schemas"]["ErrorResponse"];
type BankReceiptMatchedCallback = components["schemas"]["BankReceiptMatchedCallback"];

/** The itemised lines under a statement line, as a bank app shows them. */
export async function receiptLines(api: string, bankKey: string, receiptId: string): Promise<string[]> {
  const response = await fetch(`${api}/v1/receipts/${encodeURIComponent(receiptId)}`, {
    headers: { Authorization: `Bearer ${bankKey}` },
  });
  if (!response.ok) {
    const { error } = (await response.json()) as ErrorResponse;
    throw new Error(`${response.status} ${error.code}: ${error.message}`);
  }
  const receipt = (await response.json()) as ReceiptView;
  return receipt.lines.map(
    (line) => `${line.quantity} × ${line.description}: ${line.amount} ${receipt.currency} (minor units)`,
  );
}

/** What a bank's receiver keeps of a receipt.matched callback, once its signature is verified
 * (with the Standard Webhooks library and the bank's webhook secret). */
export function statementEntry(callback: BankReceiptMatchedCallback): {
  eventId: string;
  accountRef: string;
  bankPaymentId: string;
  total: number;
  page: string;
} {
  const { data } = callback;
  return {
    eventId: callback.id, // the same on every retry: dedupe on it
    accountRef: data.account_ref,
    bankPaymentId: data.bank_payment_id,
    total: data.receipt.totals.total,
    page: data.receipt_formats.html,
  };
}
