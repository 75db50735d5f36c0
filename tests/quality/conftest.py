from __future__ import annotations

from collections.abc import Iterator

import pytest
from quality_warehouse import Warehouse


@pytest.fixture
def warehouse() -> Iterator[Warehouse]:
    wh = Warehouse()
    yield wh
    wh.con.close()
