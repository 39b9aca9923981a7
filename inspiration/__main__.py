"""`python -m inspiration` runs the `inspiration` command."""

import sys

from inspiration.cli import main

sys.exit(main())
