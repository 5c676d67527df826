"""`python -m eval`: the same as `sanad eval`."""

import sys

from eval.cli import main

sys.exit(main())
