"""The start of a cold kernel inside the sandbox: its limits, then ipykernel.

Run as `python -c <limits.py's text, then this file's> LIMITS -f CONNECTION_FILE` (see
`grader.in_sandbox.program`): the grader's sources are not visible in the sandbox, so the code
travels as text. LIMITS is the JSON that `limits.apply_limits` takes. ipykernel then sees the
command line it would have had without it (`-f CONNECTION_FILE`).
"""

import json
import os
import sys

try:
    from .limits import apply_limits
except ImportError:  # run as `python -c`: limits.py's text came first and defined it
    pass


def main(argv):
    """`argv`: [LIMITS, ipykernel's own arguments...]. Never returns while the kernel runs."""
    limits = json.loads(argv[0])
    os.environ.pop("JPY_PARENT_PID", None)  # the grader's pid means nothing in here
    apply_limits(limits)
    sys.argv = [sys.argv[0], *argv[1:]]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main(sys.argv[1:])
