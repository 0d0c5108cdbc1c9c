"""`python -m web.cli`: the same as the `cgt-portal` command."""

from web.cli import main

main()
