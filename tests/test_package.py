"""`pip install .` into a new venv, outside the repository, gives a katsudo that can start and
build a site with the default theme shipped inside the wheel."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = subprocess.run([str(venv / "bin/python"), "-m", "pip", "install", "--quiet", str(REPO)],
                         capture_output=True, text=True)
    assert pip.returncode == 0, pip.stderr[-3000:]
    return venv / "bin"


def test_wheel_builds_a_new_site_outside_the_repository(installed: Path, tmp_path: Path):
    env = {**os.environ, "KATSUDO_NOW": "2026-11-22 12:00"}
    katsudo = str(installed / "katsudo")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([katsudo, *args], cwd=tmp_path, env=env, capture_output=True, text=True)

    assert run("init", "s").returncode == 0
    new = run("new", "-s", "s", "テスト")
    assert new.returncode == 0, new.stderr
    assert Path(tmp_path / new.stdout.strip()).is_file() or Path(new.stdout.strip()).is_file()
    build = run("build", "-s", "s", "--drafts")  # (a new post is a draft)
    assert build.returncode == 0, build.stderr
    public = tmp_path / "s/public"
    assert (public / "index.html").is_file()
    assert (public / "assets/css/style.css").is_file(), "the default theme's assets come from the wheel"
    assert "テスト" in (public / "index.html").read_text(encoding="utf-8")
    # The installed package must not be reading the theme from this checkout.
    theme = subprocess.run([str(installed / "python"), "-c", "from generator.theme import default_theme_dir; print(default_theme_dir())"],
                           cwd=tmp_path, capture_output=True, text=True).stdout.strip()
    assert not Path(theme).is_relative_to(REPO), theme


def test_python_dash_m_generator_runs(installed: Path, tmp_path: Path):
    result = subprocess.run([str(installed / "python"), "-m", "generator", "--help"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 0 and "build" in result.stdout
