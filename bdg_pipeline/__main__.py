"""``python -m bdg_pipeline`` is the ``bdg`` command."""

from .cli import main

main()
