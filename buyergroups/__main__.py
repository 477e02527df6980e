"""``python -m buyergroups``: see buyergroups.cli."""

import sys

from buyergroups.cli import main

sys.exit(main())
