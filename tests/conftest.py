from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dlexport.cli import cli

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never write outside their tmp dirs: the math cache goes to one of them."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A fresh copy of the small test corpus, safe to edit."""
    dest = tmp_path / "content"
    shutil.copytree(DATA / "mini", dest)
    return dest


def run(*args: str | Path) -> Result:
    """Run the real CLI in-process; config discovery is kept away from this repository's pyproject."""
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))
