"""``python -m newsflow.brokers {start,stop,status,jars} [kind]``."""

import sys

from newsflow.brokers.control import main

sys.exit(main())
