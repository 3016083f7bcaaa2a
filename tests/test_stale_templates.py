"""A workspace copy of a default template that nobody edited does not pin the workspace to old text."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tpi_tui.minutes import render, stale_templates
from tpi_tui.minutes.render import is_stale_copy, packaged_templates, template_path, text_env


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_every_shipped_template_is_known_so_a_later_change_still_replaces_unedited_copies():
    for path in sorted(packaged_templates().iterdir()):
        if path.is_file() and path.name != "README.md":
            assert _sha(path.read_bytes()) in stale_templates.KNOWN_DEFAULTS.get(path.name, ()), (
                f"{path.name}: run tools/stale_templates.py after changing a template"
            )


def test_an_unedited_old_default_gives_way_and_an_edited_copy_is_kept(make_demo, tmp_path, monkeypatch):
    ws = make_demo(tmp_path / "ws")
    own = ws.templates_dir / "surat_usulan.html.j2"
    typ = ws.templates_dir / "surat_usulan.typ"
    old_html = own.read_text(encoding="utf-8") + "{# TPN LAMA 2021 #}\n"
    old_typ = typ.read_bytes() + b"\n// versi lama\n"
    own.write_text(old_html, encoding="utf-8")
    typ.write_bytes(old_typ)
    # as a user edit (hash unknown): the workspace's copy is the one rendered
    assert template_path(ws, "surat_usulan.typ") == typ and not is_stale_copy(own, own.name)
    render._ENVS.clear()
    source, filename, _ = text_env(ws).loader.get_source(text_env(ws), "surat_usulan.html.j2")
    assert Path(filename).resolve() == own.resolve() and "TPN LAMA 2021" in source
    # as an earlier default (hash shipped once): the packaged default is used instead
    known = dict(stale_templates.KNOWN_DEFAULTS)
    known["surat_usulan.html.j2"] = known["surat_usulan.html.j2"] | {_sha(old_html.encode("utf-8"))}
    known["surat_usulan.typ"] = known["surat_usulan.typ"] | {_sha(old_typ)}
    monkeypatch.setattr(stale_templates, "KNOWN_DEFAULTS", known)
    render._ENVS.clear()
    assert is_stale_copy(own, own.name)
    assert template_path(ws, "surat_usulan.typ") == packaged_templates() / "surat_usulan.typ"
    source, filename, _ = text_env(ws).loader.get_source(text_env(ws), "surat_usulan.html.j2")
    assert Path(filename).resolve() == (packaged_templates() / "surat_usulan.html.j2").resolve()
    assert "TPN LAMA 2021" not in source
    render._ENVS.clear()
