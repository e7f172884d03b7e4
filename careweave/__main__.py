import sys

from careweave.cli import main

sys.exit(main())
