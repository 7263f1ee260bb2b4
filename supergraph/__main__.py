import sys

from supergraph.server import main

sys.exit(main())
