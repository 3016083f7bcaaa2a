"""Only what pyproject.toml cannot say: the top-level ``templates/`` folder (the design card's
layout, and the repository-root workspace's own templates) ships as ``tpi_tui/templates`` in the
wheel. Everything else is in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["tpi_tui", "tpi_tui.*"]), "tpi_tui.templates"],
    package_dir={"tpi_tui.templates": "templates"},
)
