import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # tests/support helpers

CORPUS = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "corpus"))


@pytest.fixture
def corpus_dir():
    if not os.path.isdir(CORPUS):
        pytest.skip(f"shared corpus not found at {CORPUS}: corpus tests need ../shared/corpus next to the checkout")
    return CORPUS
