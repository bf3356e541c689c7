"""``python -m services.scoring [run|rebuild|privacy export|erase PERSON]``."""

import sys

from services.scoring.bootstrap import main

raise SystemExit(main(sys.argv[1:]))
