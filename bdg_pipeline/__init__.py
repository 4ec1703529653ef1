"""bdg_pipeline: gender-equality (bình đẳng giới) targets of provincial plans, returns and attainment."""

from .analyst import connect, engine, query

__all__ = ["connect", "engine", "query"]
