"""``python -m archive.cli``: the ``morgue`` command without its console script."""

from archive.cli import main

main()
