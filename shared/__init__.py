"""The receipts platform's domain package, shared by every function."""
