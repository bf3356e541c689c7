"""``python -m services.scoring [run|rebuild]``."""

import sys

from services.scoring.bootstrap import main

raise SystemExit(main(sys.argv[1:]))
