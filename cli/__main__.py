"""`python -m zkcredit.cli` runs the command line."""

from zkcredit.cli import main

main()
