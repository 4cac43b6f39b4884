import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RUNTIME = os.path.dirname(HERE)
REPO = os.path.abspath(os.path.join(RUNTIME, "..", ".."))
sys.path.insert(0, RUNTIME)

import pytest

CASES = os.path.join(REPO, "runner", "test", "fixtures", "levtest.cases")
EXAMPLES = os.path.join(REPO, "examples")


@pytest.fixture
def cases():
    sys.path.insert(0, CASES)
    yield CASES
    sys.path.remove(CASES)
