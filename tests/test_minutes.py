"""Berita Acara: golden Markdown/HTML, the .docx read back, escaping, numbering, errors, CLI."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from _minutes_fixtures import SESSION_ID, TRICKY, make_session, make_workspace  # noqa: E402

from tpi_tui.core.errors import TpiError  # noqa: E402
from tpi_tui.minutes import build_context, check_template, generate, render_text  # noqa: E402
from tpi_tui.minutes import nomor as nomor_mod  # noqa: E402

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("TPI_UPDATE_GOLDEN") == "1"
OPENING = (
    "Pada hari ini Kamis tanggal Lima Belas bulan Mei tahun Dua Ribu Dua Puluh Lima (15-05-2025), "
    "pukul 09.00 WIB s.d. 12.30 WIB, bertempat di Ruang Rapat Disdukcapil"
)


@pytest.fixture
def ws(tmp_path):
    w = make_workspace(tmp_path / "ws")
    make_session(w)
    return w


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} berbeda; TPI_UPDATE_GOLDEN=1 untuk memperbarui"


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_golden_preview(ws, fmt):
    store = ws.open(SESSION_ID, readonly=True)
    text = render_text(ws, store, fmt)
    _golden(f"berita_acara.{fmt}", text)
    assert OPENING in text
    assert "Nomor: … (diberikan saat final)" in text  # a draft shows no number and issues none
    assert "DRAFT" in text
    assert not (ws.root / ".tpi").exists()


def _finalize(store) -> None:
    from tpi_tui.core.team.review import finalize, sign_off

    for peran in ("Ketua Tim", "Pengendali Teknis"):
        sign_off(store, next(p["nama"] for p in store.meta["tim"] if p["peran"] == peran))
    finalize(store)


def test_a_draft_consumes_no_number_and_the_first_final_does(ws):
    with ws.open(SESSION_ID) as store:
        draft = generate(ws, store, "md")
        assert "berita_acara" not in store.meta
        assert "Nomor: … (diberikan saat final)" in draft.read_text(encoding="utf-8")
        assert not (ws.root / ".tpi" / "nomor-2025.json").exists()
        _finalize(store)
        final = generate(ws, store, "md")
        assert "Nomor: 700/001/BA-TPI/V/2025" in final.read_text(encoding="utf-8")
    state = json.loads((ws.root / ".tpi" / "nomor-2025.json").read_text())
    assert state["terakhir"] == 1


def test_generate_issues_number_once_and_writes_atomically(ws):
    with ws.open(SESSION_ID) as store:
        _finalize(store)
        path = generate(ws, store, "md")
        assert store.meta["berita_acara"]["nomor"] == "700/001/BA-TPI/V/2025"
        again = generate(ws, store, "html")
    assert path.parent == ws.out_dir / "dinas-kependudukan-dan-pencatatan-sipil"
    assert "Nomor: 700/001/BA-TPI/V/2025" in path.read_text(encoding="utf-8")
    assert "700/001/BA-TPI/V/2025" in again.read_text(encoding="utf-8")
    state = json.loads((ws.root / ".tpi" / "nomor-2025.json").read_text())
    assert state["terakhir"] == 1 and state["sesi"] == {SESSION_ID: "700/001/BA-TPI/V/2025"}
    assert not [p for p in path.parent.iterdir() if ".tmp-" in p.name]


def test_readonly_session_renders_with_placeholder(ws, tmp_path):
    store = ws.open(SESSION_ID, readonly=True)
    out = generate(ws, store, "md", output=tmp_path / "ba.md")
    assert "Nomor: … (diberikan saat final)" in out.read_text(encoding="utf-8")
    assert not (ws.root / ".tpi" / "nomor-2025.json").exists()


def test_only_a_signed_final_session_loses_the_draft_mark(tmp_path):
    from tpi_tui.core.team.review import finalize, sign_off

    w = make_workspace(tmp_path / "ws")
    make_session(w)
    with w.open(SESSION_ID, actor="Rina") as store:
        assert all("DRAFT" in render_text(w, store, fmt) for fmt in ("md", "html"))
        for peran in ("Ketua Tim", "Pengendali Teknis"):
            sign_off(store, next(p["nama"] for p in store.meta["tim"] if p["peran"] == peran))
        finalize(store)
        for fmt in ("md", "html"):
            assert "DRAFT" not in render_text(w, store, fmt)
    # "final" written into the file by hand, without valid sign-offs, is still a draft
    hand = make_workspace(tmp_path / "ws2")
    make_session(hand, status="final")
    store = hand.open(SESSION_ID, readonly=True)
    assert store.meta["status"] == "final"
    assert "DRAFT" in render_text(hand, store, "md")


def test_docx_read_back(ws, tmp_path):
    from docx import Document

    with ws.open(SESSION_ID) as store:
        out = generate(ws, store, "docx", output=tmp_path / "ba.docx")
        _finalize(store)
        final = generate(ws, store, "docx", output=tmp_path / "ba-final.docx")
    assert "Nomor: 700/001/BA-TPI/V/2025" in "\n".join(p.text for p in Document(str(final)).paragraphs)
    doc = Document(str(out))
    paras = "\n".join(p.text for p in doc.paragraphs)
    assert OPENING.replace("15-05-2025", "15\u201105\u20112025") in paras  # non-breaking hyphens in Word
    assert "Nomor: … (diberikan saat final)" in paras
    assert "{{" not in paras and "{%" not in paras
    cells = ["\n".join(c.text for c in row.cells) for t in doc.tables for row in t.rows]
    text = "\n".join(cells)
    assert len(doc.tables) >= 10
    for name in (
        "Drs. Sulaiman Effendi, M.Si.",
        "Rina Marlina, S.E., Ak.",
        "Agus Setiawan, S.H.",
        "Hendra Saputra, S.E., M.M.",
    ):
        assert name in text
    assert "NIP 19700411 199403 1 006" in text
    assert "Mengetahui," in paras
    assert "Sosialisasikan WBS kepada pegawai & pengguna layanan." in text
    assert TRICKY in paras  # the note with & and < survives (autoescape=True)
    assert "DRAFT" in doc.sections[0].header.paragraphs[0].text
    assert abs(doc.sections[0].page_height.mm - 330) < 0.5


def test_docx_a4(tmp_path):
    from docx import Document

    w = make_workspace(tmp_path / "ws", kertas="A4")
    make_session(w)
    out = generate(w, w.open(SESSION_ID, readonly=True), "docx", output=tmp_path / "a4.docx")
    assert abs(Document(str(out)).sections[0].page_height.mm - 297) < 0.5


def test_escaping_in_html_and_md(ws):
    store = ws.open(SESSION_ID, readonly=True)
    html = render_text(ws, store, "html")
    assert "Jalan desa rusak &amp; perlu perbaikan &lt;segera&gt;" in html
    assert "<segera>" not in html
    # Markdown: the text is kept, its '<' and '>' escaped so no HTML can come from a note (#10)
    assert TRICKY.replace("<", "\\<").replace(">", "\\>") in render_text(ws, store, "md")


def test_html_print_css(ws):
    html = render_text(ws, ws.open(SESSION_ID, readonly=True), "html")
    assert "size: 215mm 330mm" in html and "counter(page)" in html and 'class="kop"' in html


def test_context_roles(ws):
    ctx = build_context(ws, ws.open(SESSION_ID, readonly=True))
    assert ctx["kepala_opd"]["nama"] == "Drs. Sulaiman Effendi, M.Si."
    assert ctx["ketua"]["nama"] == "Rina Marlina, S.E., Ak."
    assert ctx["pengendali_teknis"]["nama"] == "Hendra Saputra, S.E., M.M."
    assert [t["butir"] for t in ctx["temuan"]] == [5, 62]
    assert len(ctx["digest"]) == 64 and ctx["digest_pendek"] == ctx["digest"][:12]
    assert len(ctx["lampiran"]["sub_areas"]) > 30


# -- template errors and the sandbox ------------------------------------------------------------
def _override(ws, name: str, text: str) -> None:
    (ws.templates_dir / name).write_text(text, encoding="utf-8")


def test_workspace_template_overrides_default(ws):
    _override(ws, "berita_acara.md.j2", "Milik ruang kerja: {{ opd.nama }}\n")
    assert (
        render_text(ws, ws.open(SESSION_ID, readonly=True), "md")
        == "Milik ruang kerja: Dinas Kependudukan dan Pencatatan Sipil\n"
    )


def test_undefined_variable_names_template_line_and_writes_nothing(ws, tmp_path):
    _override(ws, "berita_acara.md.j2", "baris satu\n{{ opd.nama }}\n{{ nmaa }}\n")
    target = tmp_path / "ba.md"
    with ws.open(SESSION_ID) as store:
        with pytest.raises(TpiError) as err:
            generate(ws, store, "md", output=target)
        assert "berita_acara" not in store.meta  # no number consumed
    msg = str(err.value)
    assert "berita_acara.md.j2" in msg and "baris 3" in msg and "'nmaa'" in msg and "tidak dikenal" in msg
    assert not target.exists() and not list(tmp_path.glob("*.tmp-*"))


def test_syntax_error_message(ws):
    _override(ws, "berita_acara.html.j2", "<p>\n{% for x in tim %}\n{{ x.nama }}\n")
    with pytest.raises(TpiError, match=r"berita_acara.html.j2 baris \d+ sintaks salah"):
        render_text(ws, ws.open(SESSION_ID, readonly=True), "html")
    problems = check_template(ws, "berita_acara.html.j2")
    assert problems and "sintaks salah" in problems[0]


PAYLOADS = [
    ("{{ ''.__class__ }}", "__class__"),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "__class__"),
    ("{{ tim.__class__.__mro__ }}", "__class__"),
    ("{{ [].__class__.__base__.__subclasses__() }}", "__class__"),
    ("{{ cycler.__init__.__globals__ }}", "__init__"),
    ("{{ lipsum.__globals__ }}", "__globals__"),
    ("{{ range(10**9) | length }}", "range terlalu besar"),
    ("{% for i in range(999999999) %}{% endfor %}", "range terlalu besar"),
]


@pytest.mark.parametrize("payload,needle", PAYLOADS)
def test_sandbox_refuses_injection(ws, tmp_path, payload, needle):
    _override(ws, "berita_acara.md.j2", "Judul\n" + payload + "\n")
    with ws.open(SESSION_ID) as store:
        with pytest.raises(TpiError) as err:
            generate(ws, store, "md", output=tmp_path / "x.md")
    msg = str(err.value)
    assert "berita_acara.md.j2 baris 2" in msg and needle in msg, msg
    assert "ditolak" in msg or "tidak dikenal" in msg
    assert not (tmp_path / "x.md").exists()


def test_attr_filter_cannot_escape_sandbox(ws):
    _override(ws, "berita_acara.md.j2", "{{ ''|attr('__class__') }}\n")
    with pytest.raises(TpiError, match="ditolak|tidak dikenal"):
        render_text(ws, ws.open(SESSION_ID, readonly=True), "md")


def test_check_template_ok_and_unknown_variable(ws):
    assert check_template(ws) == []
    _override(ws, "berita_acara.md.j2", "a\n{{ opd.nama }} {{ tidak_ada }}\n")
    problems = check_template(ws, "berita_acara.md.j2")
    assert problems == ["Templat berita_acara.md.j2 baris 2: variabel 'tidak_ada' tidak dikenal."]


def test_check_docx_template_unknown_variable(ws, tmp_path):
    from docx import Document

    doc = Document()
    doc.add_paragraph("{{ opd.nama }} {{ variabel_asing }}")
    doc.save(str(ws.templates_dir / "berita_acara.docx"))
    problems = check_template(ws, "berita_acara.docx")
    assert any("variabel_asing" in p for p in problems)


# -- numbering --------------------------------------------------------------------------------
def _reserve_many(root: str, tag: str, n: int, queue) -> None:
    import datetime as dt

    from tpi_tui.core.session.workspace import Workspace

    w = Workspace(Path(root))
    got = [nomor_mod.reserve(w, f"{tag}-{i}", dt.date(2025, 5, 15)) for i in range(n)]
    queue.put(got)


def test_nomor_unique_under_two_processes(ws):
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_reserve_many, args=(str(ws.root), tag, 20, queue)) for tag in ("a", "b")]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    numbers = results[0] + results[1]
    assert len(numbers) == 40 and len(set(numbers)) == 40
    seqs = sorted(int(n.split("/")[1]) for n in numbers)
    assert seqs == list(range(1, 41))


def test_nomor_crash_between_reserve_and_record_reuses_for_same_session(ws):
    import datetime as dt

    first = nomor_mod.reserve(ws, SESSION_ID, dt.date(2025, 5, 15))  # "crash" before set_lifecycle
    other = nomor_mod.reserve(ws, "SESI-LAIN", dt.date(2025, 5, 15))
    with ws.open(SESSION_ID) as store:
        assert nomor_mod.issue(ws, store) == first
        assert store.meta["berita_acara"]["nomor"] == first
    assert first != other


def test_nomor_pattern_checks(ws):
    import datetime as dt

    assert (
        nomor_mod.format_nomor("700/{seq:03d}/BA-TPI/{bulan_romawi}/{tahun}", 7, dt.date(2025, 12, 1))
        == "700/007/BA-TPI/XII/2025"
    )
    for bad in ("700/BA/{tahun}", "{seq.__class__}", "{seq}/{rahasia}", "{seq!r}"):
        with pytest.raises(TpiError):
            nomor_mod.check_pattern(bad)


def test_corrupt_counter_file_refuses(ws):
    import datetime as dt

    (ws.root / ".tpi").mkdir()
    (ws.root / ".tpi" / "nomor-2025.json").write_text("{rusak")
    with pytest.raises(TpiError, match="rusak"):
        nomor_mod.reserve(ws, "X", dt.date(2025, 5, 15))


def test_a_registry_that_is_a_pipe_or_huge_is_refused_not_read(ws):
    """The registry travels through git: a FIFO named nomor-2025.json would hang a plain read,
    a 20 MB one would be read whole. Both are one sentence, and nothing is numbered."""
    import datetime as dt

    from tpi_tui.minutes.renomor import holders

    folder = ws.root / ".tpi"
    folder.mkdir()
    os.mkfifo(folder / "nomor-2025.json")
    with pytest.raises(TpiError, match=r"bukan berkas biasa.*nomor tidak ganda"):
        nomor_mod.reserve(ws, "X", dt.date(2025, 5, 15), timeout=5)
    assert holders(ws, "700/001/BA-TPI/V/2025") == set()  # skipped, not waited on
    (folder / "nomor-2025.json").unlink()
    big = '{"tahun": 2025, "terakhir": 1, "sesi": {"A": "' + "x" * (nomor_mod.MAX_REGISTRY_BYTES + 10) + '"}}'
    (folder / "nomor-2025.json").write_text(big)
    with pytest.raises(TpiError, match="terlalu besar"):
        nomor_mod.reserve(ws, "X", dt.date(2025, 5, 15), timeout=5)
    assert (folder / "nomor-2025.json").stat().st_size == len(big)  # unchanged
    (folder / "nomor-2025.json").write_bytes(b'{"tahun": 2025, "terakhir": 0, "sesi": {"\xff": 1}}')
    with pytest.raises(TpiError, match="rusak"):
        nomor_mod.reserve(ws, "X", dt.date(2025, 5, 15), timeout=5)


# -- pdf, CLI, imports ------------------------------------------------------------------------
def test_pdf_is_rendered_in_process_without_libreoffice(ws, monkeypatch, tmp_path):
    """Typst, not soffice: works on a machine without LibreOffice (which() finds nothing)."""
    import shutil

    from pypdf import PdfReader

    monkeypatch.setattr(shutil, "which", lambda name: None)
    with ws.open(SESSION_ID) as store:
        out = generate(ws, store, "pdf", output=tmp_path / "ba.pdf")
        assert "berita_acara" not in store.meta  # a DRAFT consumes no number
    reader = PdfReader(str(out))
    pages = [p.extract_text() for p in reader.pages]
    assert len(pages) >= 3
    assert abs(float(reader.pages[0].mediabox.height) - 330 / 25.4 * 72) < 1  # F4 per tpi.toml
    for n, text in enumerate(pages, start=1):
        assert f"Halaman {n} dari {len(pages)}" in text
        assert "DRAFT" in text  # the mark on every page while the session is not final
    assert "Nomor: … (diberikan saat final)" in pages[0]


def _tpi(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "tpi_tui", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_cli_minutes_and_template_check(ws, tmp_path):
    out = _tpi("minutes", SESSION_ID[-6:], "--format", "md", "-o", str(tmp_path / "ba.md"), cwd=ws.root)
    assert out.returncode == 0, out.stderr
    assert "nomor diberikan saat Berita Acara final dibuat" in out.stdout
    assert "(diberikan saat final)" in (tmp_path / "ba.md").read_text(encoding="utf-8")
    out = _tpi("template", "check", cwd=ws.root)
    assert out.returncode == 0 and out.stdout.count("OK:") == 3, out.stdout + out.stderr
    assert "berbeda dari templat bawaan" not in out.stdout
    _override(ws, "berita_acara.md.j2", "{{ opd.nama }}\n")  # valid, but no longer the default
    out = _tpi("template", "check", "berita_acara.md.j2", cwd=ws.root)
    assert out.returncode == 0 and "berbeda dari templat bawaan" in out.stdout, out.stdout
    _override(ws, "berita_acara.md.j2", "{{ nmaa }}\n")
    out = _tpi("template", "check", "berita_acara.md.j2", cwd=ws.root)
    assert out.returncode == 2 and "'nmaa'" in out.stdout
    assert out.stderr.strip().startswith("tpi: ") and len(out.stderr.strip().splitlines()) == 1
    out = _tpi("minutes", SESSION_ID, "--format", "md", cwd=ws.root)
    assert out.returncode == 2 and "baris 1" in out.stderr and "Traceback" not in out.stderr


def test_import_is_cheap():
    code = "import sys, tpi_tui.minutes; print(sorted(m for m in ('jinja2','docxtpl','babel','num2words','docx') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
