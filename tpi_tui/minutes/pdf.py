"""PDF output.

``html_to_pdf``: the HTML Berita Acara rendered in-process by WeasyPrint (CSS paged media: the
template's ``@page`` sets F4/A4, margins, "Halaman x dari y" and the DRAFT mark on every page).
WeasyPrint is a Python dependency; it needs the Pango library of the system (``libpango-1.0-0``,
``libpangoft2-1.0-0``), present on most desktops and installed by ``.ci/run`` when missing.

``docx_to_pdf``: the Word document converted by LibreOffice (``soffice --headless``), optional.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..core.errors import TpiError, os_reason

INSTALL_HINT = (
    "LibreOffice (soffice) tidak ditemukan; pasang dengan "
    "'sudo apt-get install libreoffice-writer-nogui' lalu ulangi, atau pakai --format docx."
)


PANGO_HINT = (
    "PDF memerlukan pustaka sistem Pango; pasang dengan "
    "'sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0' lalu ulangi, atau pakai --format html."
)


def _weasyprint():
    try:
        import weasyprint
    except ImportError as exc:  # the package itself missing, or its system libraries (OSError inside)
        raise TpiError(f"WeasyPrint tidak dapat dimuat ({exc}). Pasang ulang: pip install -e . ; {PANGO_HINT}") from None
    except OSError:
        raise TpiError(PANGO_HINT) from None
    return weasyprint


def check_html_engine() -> None:
    """Fail early (before a number is issued) when the PDF engine cannot load."""
    _weasyprint()


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    """The PDF bytes of an HTML document (fonts from the system; no network: URLs are refused)."""
    weasyprint = _weasyprint()
    fetcher = _data_only_fetcher(weasyprint)
    try:
        return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()
    except (ValueError, OSError, RuntimeError) as exc:
        raise TpiError(f"PDF tidak dapat dibuat oleh WeasyPrint: {exc}.") from None


def _data_only_fetcher(weasyprint):
    """Only data: URIs (the inline logo) are loaded: a template cannot reach files or the network."""
    try:
        from weasyprint.urls import URLFetcher  # WeasyPrint >= 67
    except ImportError:
        default = weasyprint.default_url_fetcher

        def fetch(url: str, *args, **kwargs):
            if not url.startswith("data:"):
                raise ValueError("hanya data: URI yang dimuat")
            return default(url, *args, **kwargs)

        return fetch
    return URLFetcher(allowed_protocols={"data"})


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
        cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", target, "--outdir", tmp, str(src)]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise TpiError(f"Konversi ke {label} oleh LibreOffice melewati batas waktu; coba lagi.") from None
        except OSError as exc:
            raise TpiError(f"LibreOffice tidak dapat dijalankan: {os_reason(exc)}.") from None
        out = Path(tmp) / f"{stem}.{ext}"
        if proc.returncode != 0 or not out.is_file():
            hint = ("buka berkas .docx dan cetak ke PDF secara manual" if ext == "pdf"
                    else "pakai --format html atau pdf")
            raise TpiError(f"Konversi ke {label} oleh LibreOffice gagal; {hint}.")
        return out.read_bytes()


def convert_to_pdf(data: bytes, suffix: str, stem: str = "berita-acara", timeout: float = 180.0) -> bytes:
    """Convert a .docx or .html document (bytes) to PDF bytes with LibreOffice."""
    return soffice_convert(data, suffix, stem, "pdf", timeout)


def docx_to_pdf(data: bytes, stem: str = "berita-acara") -> bytes:
    return convert_to_pdf(data, ".docx", stem)
