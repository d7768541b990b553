"""`python -m {{ cookiecutter.package_name }}`: run the app on embedded local Spark."""

import sys

from .app import main

sys.exit(main())
