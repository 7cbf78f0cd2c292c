"""The project keeps every file it writes under 600 lines; the templates most of all."""

from __future__ import annotations

import pytest

from cfn_templates import INFRA, sam_template_files

LIMIT = 600
SKIP_DIRS = {"node_modules", "cdk.out", ".aws-sam", "__pycache__", "dist"}


def written_files():
    for path in sorted(INFRA.rglob("*")):
        if path.is_file() and not SKIP_DIRS & set(path.relative_to(INFRA).parts):
            if path.suffix in {".yaml", ".yml", ".json", ".py", ".ts", ".js", ".md", ".sh", ".mk", ".txt"}:
                if path.name != "package-lock.json":  # written by npm
                    yield path


@pytest.mark.parametrize("path", list(written_files()), ids=lambda p: str(p.relative_to(INFRA)))
def test_file_has_at_most_600_lines(path):
    lines = len(path.read_text().splitlines())
    assert lines <= LIMIT, f"{path.relative_to(INFRA)} has {lines} lines; split it"


def test_the_sam_template_is_split_into_nested_files():
    files = sam_template_files()
    assert len(files) > 1
    assert all(f.is_file() for f in files)
