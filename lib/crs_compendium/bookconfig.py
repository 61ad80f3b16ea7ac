"""Print _config.yml with notebook execution forced, for builds that must not trust the execution cache.

The cache key is the code cells only: an edited data file or lib/ function would otherwise leave stale
outputs in the book. Used by `make book-force` (`python -m crs_compendium.bookconfig`) and by
tests/test_book_build.py.
"""
import sys

import yaml

from .paths import ROOT

__all__ = ["forced_config"]


def forced_config() -> str:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "force"
    return yaml.safe_dump(config, sort_keys=False)


if __name__ == "__main__":
    sys.stdout.write(forced_config())
