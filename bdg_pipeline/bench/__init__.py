"""National-scale benchmark: a deterministic generator of synthetic returns and the timing harness."""
