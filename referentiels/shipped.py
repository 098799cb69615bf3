"""The référentiel files shipped with CPro (``referentiels/data/*.json``, one file per version)."""

from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")


def shipped_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.json"))
