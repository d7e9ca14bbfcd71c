import pytest

pytest.importorskip("numpy")  # ftcexact.numerics needs numpy (a producer-side dependency)
