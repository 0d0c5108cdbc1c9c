"""`python -m benchmarks.scale --size quick|10k|30k|full [--label L]`."""

from benchmarks.scale.run import main

raise SystemExit(main())
