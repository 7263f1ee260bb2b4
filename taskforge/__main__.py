import sys

from taskforge.cli import main

sys.exit(main())
