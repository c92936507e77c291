"""Mass messages (群发) to customers with a durable, crash-safe recipient ledger."""
