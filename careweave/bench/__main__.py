"""``python -m careweave.bench [--quick] [--only MODULE ...] [--out FILE]``."""

import sys

from careweave.bench import main

sys.exit(main())
