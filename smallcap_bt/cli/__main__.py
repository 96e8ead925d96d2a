import sys

from smallcap_bt.cli import main

sys.exit(main())
