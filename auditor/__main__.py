"""`python -m auditor` runs the same CLI as the `blastscope` command."""

from auditor.launcher import main

main()
