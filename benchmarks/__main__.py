"""``python -m benchmarks [--quick] [--only MODULE ...] [--out FILE]``."""

import sys

from benchmarks import main

sys.exit(main())
