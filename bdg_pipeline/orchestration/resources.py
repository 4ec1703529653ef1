"""Resources: where the pipeline's files are, configured the Dagster way (each field from its ``BDG_*``
variable when set, the project default otherwise)."""

from __future__ import annotations

import dagster as dg

from ..config import Settings, settings

# Every asset that writes the warehouse runs in this pool (dagster.yaml limits it to 1); inside, the
# pipeline's own writers' lock keeps out the ``bdg`` command and anything else.
WAREHOUSE_POOL = "bdg_warehouse"


class BdgSettings(dg.ConfigurableResource):
    """The pipeline's settings; empty fields fall back to the environment (``bdg_pipeline.config``)."""

    raw_dir: str = ""
    warehouse: str = ""

    def settings(self) -> Settings:
        from dataclasses import replace
        from pathlib import Path

        chosen = settings()
        if self.raw_dir:
            chosen = replace(chosen, raw_dir=Path(self.raw_dir))
        if self.warehouse:
            chosen = replace(chosen, warehouse=Path(self.warehouse))
        return chosen
