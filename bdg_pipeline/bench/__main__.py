"""``python -m bdg_pipeline.bench`` (``make bench``)."""

from .run import main

main()
