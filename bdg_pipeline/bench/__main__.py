"""``python -m bdg_pipeline.bench [--files N]`` (``make bench``: the whole workload)."""

import argparse

from .run import main

parser = argparse.ArgumentParser(prog="python -m bdg_pipeline.bench")
parser.add_argument(
    "--files",
    type=int,
    default=None,
    help="only the read floor and the builds, on N workbooks spread over the workload",
)
main(only=parser.parse_args().files)
