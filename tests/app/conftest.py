"""Page-test fixtures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage


class RecordingStorage(MemoryMediaFileStorage):
    """A media store that remembers itself: AppTest drops its store after each run, so the
    bytes behind a download button can only be read through the instance it created."""

    instances: ClassVar[list[RecordingStorage]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        RecordingStorage.instances.append(self)


@pytest.fixture
def download_bytes(monkeypatch: pytest.MonkeyPatch) -> Callable[[Any], bytes]:
    """``download_bytes(button) -> bytes`` for a download button of the last AppTest run."""
    RecordingStorage.instances = []
    monkeypatch.setattr("streamlit.testing.v1.app_test.MemoryMediaFileStorage", RecordingStorage)

    def read(button: Any) -> bytes:
        file_id = button.proto.url.rsplit("/", 1)[1]
        return RecordingStorage.instances[-1].get_file(file_id).content

    return read
