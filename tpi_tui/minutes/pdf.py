"""PDF through LibreOffice (``soffice --headless --convert-to pdf``) when it is installed."""

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


def soffice_path() -> str:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise TpiError(INSTALL_HINT)


def convert_to_pdf(data: bytes, suffix: str, stem: str = "berita-acara", timeout: float = 180.0) -> bytes:
    """Convert a .docx or .html document (bytes) to PDF bytes in a private temp folder."""
    exe = soffice_path()
    with tempfile.TemporaryDirectory(prefix="tpi-pdf-") as tmp:
        src = Path(tmp) / f"{stem}{suffix}"
        src.write_bytes(data)
        profile = Path(tmp) / "profil"  # a private profile: two conversions at once do not collide
        cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", tmp, str(src)]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise TpiError("Konversi ke PDF oleh LibreOffice melewati batas waktu; coba lagi.") from None
        except OSError as exc:
            raise TpiError(f"LibreOffice tidak dapat dijalankan: {os_reason(exc)}.") from None
        out = Path(tmp) / f"{stem}.pdf"
        if proc.returncode != 0 or not out.is_file():
            raise TpiError("Konversi ke PDF oleh LibreOffice gagal; buka berkas .docx dan cetak ke PDF secara manual.")
        return out.read_bytes()


def docx_to_pdf(data: bytes, stem: str = "berita-acara") -> bytes:
    return convert_to_pdf(data, ".docx", stem)
