"""Every web chat started by these tests keeps its uploads in a folder of this test session only.

Gradio's default upload folder (/tmp/gradio) is shared by every Gradio app on the machine; the
sweeper under test deletes old uploads there, so it must only ever see this session's files.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session", autouse=True)
def private_upload_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = str(tmp_path_factory.mktemp("gradio-uploads"))
    before = os.environ.get("GRADIO_TEMP_DIR")
    os.environ["GRADIO_TEMP_DIR"] = folder
    yield folder
    if before is None:
        os.environ.pop("GRADIO_TEMP_DIR", None)
    else:
        os.environ["GRADIO_TEMP_DIR"] = before
