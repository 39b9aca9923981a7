from inspiration.cli import main

raise SystemExit(main())
