"""Read-only aggregates: growth by day, active customers, top channels and employees."""
