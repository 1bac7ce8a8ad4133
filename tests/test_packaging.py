"""What `pip install .` ships: every package of bot/, the data tables and the shipped articles."""

from __future__ import annotations

import tomllib

from tests.helpers.files import REPO_ROOT


def _setuptools() -> dict:
    with (REPO_ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["tool"]["setuptools"]


def test_every_package_of_the_source_tree_is_installed() -> None:
    on_disk = {
        ".".join(init.parent.relative_to(REPO_ROOT).parts)
        for init in (REPO_ROOT / "bot").rglob("__init__.py")
    }
    listed = set(_setuptools()["packages"])

    assert on_disk <= listed, f"missing from [tool.setuptools] packages: {on_disk - listed}"
    assert listed - on_disk == {"bot.shipped_knowledge"}


def test_the_shipped_articles_are_the_knowledge_folder_with_its_file_kinds() -> None:
    config = _setuptools()
    assert config["package-dir"]["bot.shipped_knowledge"] == "knowledge"
    patterns = config["package-data"]["bot.shipped_knowledge"]
    suffixes = {"." + pattern.rsplit(".", 1)[-1] for pattern in patterns}
    shipped = {p.suffix for p in (REPO_ROOT / "knowledge").rglob("*") if p.is_file()}
    assert shipped, "the knowledge folder ships at least one article"
    assert shipped <= suffixes, f"file kinds that would not be installed: {shipped - suffixes}"
