"""PDF output.

``typeset``: every PDF tpi makes (Berita Acara, LHE, rekap, surat usulan, SPTJM) is set by Typst
(PyPI ``typst``: the compiler inside the wheel, no system library) from a ``.typ`` template
beside the Jinja ones. The data go in as one JSON string (``sys.inputs.data``) read with
``json()``: user text reaches the page as Typst *strings*, so ``#panic()``, ``*bold*``, ``$x$``,
``<label>``, ``@ref`` or ``//`` print as written and are never read as markup. Numbers, dates and
NIPs are formatted here by the same filters as the HTML (``print_view``: ``<key>_fmt``,
``<key>_tgl``), so a rule of formatting stays in one place.

Fonts: Liberation Serif (SIL OFL 1.1, ``fonts/OFL.txt``) ships in this package and system fonts
are ignored, so a page breaks the same way on every machine. Typst's own embedded fonts remain
as fallback for characters Liberation Serif lacks.

The compiler sees only a private folder (the two template files and the kop logo): a template
cannot read the workspace or the network. A workspace ``.typ`` that differs from the packaged
one is compiled in the resource-limited child of ``limits.py``, like a customised Jinja template.

``soffice_convert``: LibreOffice (``soffice --headless``) for the optional DOCX conversions.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import re
import shutil
import subprocess
import tempfile
import threading
import warnings
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.dates import today
from ..core.errors import TpiError, os_reason
from ..core.session.config import PAPER_MM
from .filters import jam, nilai, nip, tanggal
from .templating import run_template, template_path

if TYPE_CHECKING:
    from ..core.session.workspace import Workspace

FONT_DIR = Path(__file__).resolve().parent / "fonts"
LIBRARY = "_tpi.typ"

INSTALL_HINT = (
    "LibreOffice (soffice) tidak ditemukan; pasang dengan "
    "'sudo apt-get install libreoffice-writer-nogui' lalu ulangi, atau pakai --format docx."
)
ENGINE_HINT = "Mesin cetak PDF (paket Python 'typst') tidak dapat dimuat; pasang ulang: pip install tpi-tui"

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LOCK = threading.Lock()
_STATE: dict[str, object] = {}


def _typst():
    try:
        import typst  # lazy: typst: +6.6 MB RSS, 3 ms; a broken wheel stops PDF only
    except ImportError as exc:
        raise TpiError(f"{ENGINE_HINT} ({exc}).") from None
    return typst


def check_engine() -> None:
    """Fail early (before a number is issued) when the PDF engine cannot load."""
    _typst()
    if not (FONT_DIR / "LiberationSerif-Regular.ttf").is_file():
        raise TpiError(f"Huruf Liberation Serif tidak ditemukan di {FONT_DIR}; pasang ulang tpi-tui.")


@lru_cache(maxsize=65536)
def _nilai(x: float) -> str:
    """filters.nilai, memoised: a 127-item context repeats few distinct scores many times."""
    return nilai(x)


# -- the data ---------------------------------------------------------------------------------------
def print_view(value):
    """``value`` (a template context) as JSON-ready data, with the printed forms added beside
    the raw ones: ``<k>_fmt`` for a score (filter ``nilai``) or a NIP (``nip``) or a time
    (``jam``), ``<k>_tgl`` for an ISO date (``tanggal``). Lists of scores get a list ``_fmt``."""

    def walk(v):
        if isinstance(v, dict):
            out = {}
            for k, x in v.items():
                k = str(k)
                out[k] = walk(x)
                if isinstance(x, bool) or x is None:
                    continue
                if isinstance(x, (int, float)):
                    out[f"{k}_fmt"] = _nilai(x)
                elif isinstance(x, str):
                    if k == "nip" or k.endswith("_nip"):
                        out[f"{k}_fmt"] = nip(x)
                    elif k.startswith("jam"):
                        try:
                            out[f"{k}_fmt"] = jam(x)
                        except TpiError:
                            pass
                    if len(x) == 10 and _ISO_DATE.fullmatch(x):
                        try:
                            out[f"{k}_tgl"] = tanggal(x)
                        except (TpiError, ValueError):
                            pass
                elif (
                    isinstance(x, (list, tuple))
                    and x
                    and all(isinstance(e, (int, float)) and not isinstance(e, bool) for e in x)
                ):
                    out[f"{k}_fmt"] = [_nilai(e) for e in x]
                elif isinstance(x, (dt.date, dt.datetime)):
                    out[f"{k}_tgl"] = tanggal(x)
            return out
        if isinstance(v, (list, tuple)):
            return [walk(x) for x in v]
        if isinstance(v, (dt.date, dt.datetime)):
            return v.isoformat()
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        return str(v)

    return walk(value)


# -- the compiler -------------------------------------------------------------------------------------
def _root() -> Path:
    """This process's private folder for the compiler (removed at exit)."""
    root = _STATE.get("root")
    if not isinstance(root, Path) or not root.is_dir():
        root = Path(tempfile.mkdtemp(prefix="tpi-cetak-"))
        atexit.register(shutil.rmtree, root, True)
        _STATE["root"] = root
    return root


def _compiler():
    compiler = _STATE.get("compiler")
    if compiler is None:
        typst = _typst()
        check_engine()
        compiler = typst.Compiler(root=str(_root()), font_paths=[str(FONT_DIR)], ignore_system_fonts=True)
        _STATE["compiler"] = compiler
    return compiler


def _write_if_changed(path: Path, data: bytes) -> None:
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    path.write_bytes(data)


def _error(exc: BaseException, name: str) -> TpiError:
    message = (
        str(getattr(exc, "message", "") or exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    )
    where = name
    diag = str(getattr(exc, "diagnostic", "") or "")
    m = re.search(r"([\w.-]+\.typ):(\d+):\d+", diag)
    if m:  # the compiler sees the template as dokumen.typ: name it as the user knows it
        where = f"{name if m.group(1) == 'dokumen.typ' else m.group(1)} baris {m.group(2)}"
    return TpiError(f"Templat {where} galat: {message.rstrip('.')}. Tidak ada berkas yang ditulis.")


def compile_pdf(template: bytes, library: bytes, data: dict, name: str, logo: bytes | None = None) -> bytes:
    """Typeset ``template`` (Typst source) with ``data`` (JSON-ready); the PDF bytes."""
    out = _compile(template, library, data, name, logo, marks=False)
    if not isinstance(out, bytes) or not out.startswith(b"%PDF"):
        raise TpiError(f"Templat {name} tidak menghasilkan PDF. Tidak ada berkas yang ditulis.")
    return out


def compile_marks(template: bytes, library: bytes, data: dict, name: str, logo: bytes | None = None) -> list:
    """Instead of the PDF, the document's introspection marks (``tanda`` in ``_tpi.typ``: kind, page
    and vertical position of each signature block, closing sentence ...), for the print-rule tests."""
    found = _compile(template, library, data, name, logo, marks=True)
    return found if isinstance(found, list) else []


def _compile(template: bytes, library: bytes, data: dict, name: str, logo: bytes | None, marks: bool) -> object:
    """The compiler's answer: PDF bytes, or (``marks``) the decoded marks."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    with _LOCK:
        compiler = _compiler()
        root = _root()
        _write_if_changed(root / LIBRARY, library)
        _write_if_changed(root / "dokumen.typ", template)
        if logo:
            _write_if_changed(root / "logo", logo)
        typst = _typst()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if marks:
                    found = typst.query(
                        str(root / "dokumen.typ"),
                        "<tpi-tanda>",
                        field="value",
                        root=str(root),
                        font_paths=[str(FONT_DIR)],
                        ignore_system_fonts=True,
                        sys_inputs={"data": payload},
                    )
                    return json.loads(found)
                out = compiler.compile(input=str(root / "dokumen.typ"), format="pdf", sys_inputs={"data": payload})
        except typst.TypstError as exc:
            raise _error(exc, name) from None
        except (RuntimeError, ValueError, OSError) as exc:
            raise _error(exc, name) from None
    return out


def typeset(ws: Workspace, base: str, context: dict, extra: dict | None = None) -> bytes:
    """The PDF of document ``base`` ("berita_acara", "lhe", "rekap", "surat_usulan", "sptjm").

    ``<base>.typ`` and ``_tpi.typ`` come from the workspace's ``templates/`` when it has them,
    else from the packaged defaults (``render.template_path``). A workspace template is compiled
    in the limited child: ``compile_pdf`` and plain bytes/data, so a spawned child can take them."""
    args = _inputs(ws, base, context, extra)
    return run_template(ws, args[3], compile_pdf, args)


def typeset_marks(ws: Workspace, base: str, context: dict, extra: dict | None = None) -> list:
    """The introspection marks of the document ``typeset`` makes (the print-rule tests)."""
    return compile_marks(*_inputs(ws, base, context, extra))


def _inputs(
    ws: Workspace, base: str, context: dict, extra: dict | None
) -> tuple[bytes, bytes, dict, str, bytes | None]:
    """What the compiler takes: the template, the library, the data, the template's name, the logo."""
    name = f"{base}.typ"
    source = template_path(ws, name).read_bytes()
    library = template_path(ws, LIBRARY).read_bytes()

    data = print_view(context)
    if extra:
        data.update(print_view(extra))
    data["kertas_mm"] = list(PAPER_MM.get(str(data.get("kertas")), PAPER_MM["F4"]))
    # The PDF's creation date, to the day: Typst's default is the clock to the second, so two runs of
    # one document a second apart gave different bytes (the same document must print the same file).
    data.setdefault("tanggal_pdf", today(ws.config.zona_waktu).isoformat())  # the instansi's day
    logo = None
    logo_path = (context.get("instansi") or {}).get("logo_path") if isinstance(context.get("instansi"), dict) else None
    if logo_path:
        try:
            logo = Path(logo_path).read_bytes()
        except OSError as exc:
            raise TpiError(f"Logo kop {logo_path} tidak dapat dibaca: {os_reason(exc)}.") from None
        data["logo"] = "logo"
    else:
        data["logo"] = None
    return source, library, data, name, logo


def soffice_path() -> str:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise TpiError(INSTALL_HINT)


def soffice_convert(data: bytes, suffix: str, stem: str, target: str = "pdf", timeout: float = 180.0) -> bytes:
    """Convert a document (bytes; ``suffix`` says what it is) with LibreOffice in a private temp folder.

    ``target`` is LibreOffice's filter ("pdf", or "docx:MS Word 2007 XML"); the extension of the
    result is the part before the colon.
    """
    exe = soffice_path()
    ext = target.split(":", 1)[0]
    label = ext.upper()
    with tempfile.TemporaryDirectory(prefix="tpi-konversi-") as tmp:
        src = Path(tmp) / f"{stem}{suffix}"
        src.write_bytes(data)
        profile = Path(tmp) / "profil"  # a private profile: two conversions at once do not collide
        cmd = [
            exe,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            tmp,
            str(src),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise TpiError(f"Konversi ke {label} oleh LibreOffice melewati batas waktu; coba lagi.") from None
        except OSError as exc:
            raise TpiError(f"LibreOffice tidak dapat dijalankan: {os_reason(exc)}.") from None
        out = Path(tmp) / f"{stem}.{ext}"
        if proc.returncode != 0 or not out.is_file():
            hint = (
                "buka berkas .docx dan cetak ke PDF secara manual" if ext == "pdf" else "pakai --format html atau pdf"
            )
            raise TpiError(f"Konversi ke {label} oleh LibreOffice gagal; {hint}.")
        return out.read_bytes()
