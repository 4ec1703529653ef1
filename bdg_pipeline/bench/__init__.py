"""National-scale benchmark: a deterministic generator of synthetic returns and the timing harness."""

from ..config import PROJECT_ROOT

ROOT = PROJECT_ROOT / "data" / "bench"  # the workload, its warehouses and the results
