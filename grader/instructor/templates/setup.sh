#!/usr/bin/env bash
# Gradescope builds the autograder image with this script (as root, on Ubuntu).
set -euxo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends bubblewrap ca-certificates software-properties-common
if ! apt-get install -y --no-install-recommends python3.11 python3.11-venv; then
    add-apt-repository -y ppa:deadsnakes/ppa
    apt-get update
    apt-get install -y --no-install-recommends python3.11 python3.11-venv
fi
python3.11 -m venv /autograder/venv
# Where bubblewrap cannot run, the notebook runs as an unprivileged uid of its own: it must be
# able to reach this Python (run_autograder closes the course and the results to it).
chmod o+x /autograder
/autograder/venv/bin/python -m pip install --upgrade pip
# torch first, from the CPU-only index (the default wheels bring CUDA: gigabytes for nothing)
/autograder/venv/bin/python -m pip install "torch==@torch@" --index-url https://download.pytorch.org/whl/cpu
/autograder/venv/bin/python -m pip install /autograder/source/grader-src
/autograder/venv/bin/python -c "import grader.pipeline"
