"""The upload robustness table replayed through the Data page: a refused file leaves the
previous data loaded; an accepted odd file loads; nothing ever crashes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.app.helpers import assert_healthy, texts
from tests.test_robustness import UPLOADS, Upload

GOOD = b"x1,x2,y\n" + b"".join(f"{i},{i % 7},{i % 2}\n".encode() for i in range(30))


@pytest.mark.parametrize("case", [u for u in UPLOADS if u.options is None], ids=lambda u: u.name)
def test_upload_through_the_page(app: Any, case: Upload) -> None:
    at = app("pages/data.py")
    at.segmented_control(key="data_source").set_value("Upload a file").run()
    at.file_uploader(key="upload").set_value(("previous.csv", GOOD, "text/csv")).run()
    at.file_uploader(key="upload").set_value((case.name, case.raw, "text/csv")).run()
    assert_healthy(at)
    sidebar = " ".join(str(m.value) for m in at.sidebar.markdown)
    if case.error:
        assert any(case.error in e for e in texts(at, "error")), texts(at, "error")
        assert "previous.csv" in sidebar
    else:
        assert case.name in sidebar
        at.switch_page("pages/train.py").run()
        assert_healthy(at)
