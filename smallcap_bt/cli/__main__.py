import sys

from smallcap_bt.cli import console

sys.exit(console())
