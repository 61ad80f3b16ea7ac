"""`python -m crs_compendium COMMAND ...`: the compendium's command line (see `crs_compendium.cli`)."""
from .cli import main

raise SystemExit(main())
