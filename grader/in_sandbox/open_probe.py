"""Which files a user of no rights can open: run as that user (`python -I -S -c <this text>`) by
`grader.execute.exposure` before a notebook runs without namespaces. Reads NUL-separated paths
on stdin and writes back, NUL-separated, those it could open for reading."""

import os
import sys


def main():
    for path in sys.stdin.buffer.read().split(b"\0"):
        try:
            os.close(os.open(path, os.O_RDONLY))
            sys.stdout.buffer.write(path + b"\0")
        except OSError:
            pass


if __name__ == "__main__":
    main()
