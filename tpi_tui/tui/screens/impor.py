"""Impor LKE Excel in the cockpit (``x``): a file path and a side, a preview, then apply or cancel.

The preview is the import report itself (``XlsxPlan.report_text``, the text ``tpi import-answers``
saves): what will be placed, ignored, typed over formulas, and where the file's figures differ
from the app's. Nothing is written until the assessor applies it.

* the file is parsed (``read_xlsx``) in a thread of its own, not the session's writer: saves of
  the cockpit go on while a large or hostile file is decided;
* the plan (``plan_xlsx``) and the apply (``import_xlsx`` + ``save_report``) run as jobs of the
  cockpit's writer, after every save handed in before them; the apply is all or nothing;
* a file that is refused gives its Indonesian message here and changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Label, RadioButton, RadioSet, Static

from ...core.errors import TpiError, os_reason
from ...core.text import show
from ...galat import log_exception, message
from ..base import TpiModal
from ..writer import ImportApplied, Imported, ImportPlanned, Writer, answers_copy

if TYPE_CHECKING:
    from ...core.session.store import SessionStore
    from ...exchange.xlsx_import import XlsxPlan, XlsxRead

CSS = """
ImporScreen { align: center middle; }
#impor-dialog { max-width: 100; height: 90%; }
#impor-form { height: auto; }
#impor-dialog.previewing #impor-form { display: none; }
#impor-sisi { height: auto; width: 100%; }
#impor-laporan { height: 1fr; border: round $panel; display: none; }
#impor-laporan.shown { display: block; }
"""
FORM_HINT = "Enter: pratinjau · Tab: pindah isian · Esc: batal"
PREVIEW_HINT = "Pratinjau — belum ada yang diubah. Ctrl+S: terapkan · Esc: batal"
REFUSED_HINT = "Tidak ada yang diubah. Perbaiki berkas, impor lagi (x). Esc: tutup"


class ImporScreen(TpiModal["Imported | None"]):
    """Dismisses with ``Imported`` after an apply, ``None`` when cancelled (nothing changed)."""

    DEFAULT_CSS = CSS
    BINDINGS = [
        Binding("ctrl+s", "apply", "Terapkan", id="impor.terapkan"),
        Binding("escape", "cancel", "Batal", id="impor.batal"),
    ]

    def __init__(self, writer: Writer, area_reading: str = "keduanya") -> None:
        super().__init__()
        self.writer = writer
        self.area_reading = area_reading
        self.phase = "form"  # form -> membaca -> pratinjau -> menerapkan
        self.read: XlsxRead | None = None  # the file as read_xlsx found it
        self.path: Path | None = None
        self.sebagai = "unit"
        self.plan: XlsxPlan | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="impor-dialog", classes="dialog"):
            yield Label("Impor LKE Excel", classes="dialog-title")
            yield Static(
                "Lampiran III (lembar LKE ZI) atau PortalRB 2026 (lembar Jawaban). "
                "Semua jawaban diterima, atau tidak ada yang diubah.",
                classes="hint",
            )
            with Vertical(id="impor-form"):
                yield Label("Berkas (.xlsx)", classes="field-label")
                yield Input(placeholder="mis. ~/Unduhan/LKE_Dinas.xlsx", id="impor-berkas", max_length=4096)
                yield Label("Kolom Jawaban Lampiran III dicatat sebagai", classes="field-label")
                with RadioSet(id="impor-sisi"):
                    yield RadioButton("jawaban unit (penilaian mandiri)", value=True, id="sisi-unit")
                    yield RadioButton("jawaban TPI", id="sisi-tpi")
            yield Static("", id="impor-galat", classes="error", markup=False)
            with VerticalScroll(id="impor-laporan"):
                yield Static("", id="impor-isi", markup=False)
            yield Static(FORM_HINT, id="impor-petunjuk", classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#impor-berkas", Input).focus()

    # -- the form ------------------------------------------------------------------------------
    def _say(self, text: str) -> None:
        self.query_one("#impor-galat", Static).update(Text(text))

    def _refused(self, text: str) -> None:
        """A refusal: its first line under the form; a refusal that lists cells (one line per cell)
        shows the list where the preview goes, so every cell can be read at 80x24."""
        first, _, rest = text.partition("\n")
        self.phase = "form"
        self._say(first)
        if rest:  # the form makes room for the list; the dialog only closes from here
            self.phase = "ditolak"
            self.query_one("#impor-isi", Static).update(Text(rest))
            self._show_report(REFUSED_HINT)

    def _show_report(self, hint: str) -> None:
        self.query_one("#impor-laporan").add_class("shown")
        self.query_one("#impor-dialog").add_class("previewing")
        self.query_one("#impor-petunjuk", Static).update(hint)
        self.query_one("#impor-laporan").focus()  # arrows and PageDown scroll the list

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.preview()

    def preview(self) -> None:
        if self.phase != "form":
            return
        text = self.query_one("#impor-berkas", Input).value.strip()
        if not text:
            self._say("Tulis jalur berkas LKE Excel (.xlsx) yang akan diimpor.")
            return
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):  # a pasted NUL or escape is no path
            self._say("Jalur berkas memuat karakter kendali; tulis jalurnya tanpa karakter itu.")
            return
        self.path = Path(text).expanduser()
        self.sebagai = "tpi" if self.query_one("#sisi-tpi", RadioButton).value else "unit"
        self.phase = "membaca"
        self._say(f"Membaca {show(self.path.name)} …")
        self._read_file(self.path)

    @work(thread=True, exclusive=True, group="impor-baca", exit_on_error=False)
    def _read_file(self, path: Path) -> None:
        """Parse the workbook off the writer thread: the cockpit's saves are not held meanwhile."""
        from ...exchange.xlsx_import import read_xlsx  # lazy: 40 ms (-X importtime)

        try:
            result, error = read_xlsx(path), None
        except TpiError as exc:
            result, error = None, str(exc)
        except OSError as exc:
            result, error = None, f"Berkas {show(path.name)} tidak dapat dibaca: {os_reason(exc)}."
        except Exception as exc:  # noqa: BLE001 - a bug: logged, one line, the cockpit goes on
            logged = log_exception(exc, "membaca berkas impor")
            result, error = None, message(exc, "membaca berkas impor", logged)
        if self.is_attached:
            try:
                self.app.call_from_thread(self._file_read, path, result, error)
            except RuntimeError:  # the app closed while the file was read: nobody to tell
                pass

    def _file_read(self, path: Path, read: XlsxRead | None, error: str | None) -> None:
        if self.phase != "membaca" or path != self.path:
            return  # cancelled or another file asked for since
        if error is not None:
            self._refused(error)
            return
        self.read = read
        from ...exchange.xlsx_import import plan_xlsx  # lazy: 40 ms (-X importtime)

        sebagai = self.sebagai
        self.writer.call(lambda store: plan_xlsx(store, path, sebagai, read), ImportPlanned, reply_to=self)

    # -- the writer's answers --------------------------------------------------------------------
    @on(ImportPlanned)
    def _planned(self, event: ImportPlanned) -> None:
        if self.phase != "membaca":
            return
        plan = event.result
        if event.error is not None or plan is None:
            self._refused(event.error or "")
            return
        assert self.path is not None
        self.plan = plan
        self.phase = "pratinjau"
        self._say("")
        self.query_one("#impor-isi", Static).update(Text(plan.report_text(self.path.name)))
        self._show_report(PREVIEW_HINT)

    def action_apply(self) -> None:
        if self.phase != "pratinjau":
            self._say("Belum ada pratinjau: tulis jalur berkas lalu tekan Enter.")
            return
        from ...exchange.xlsx_import import import_xlsx, save_report  # lazy: 40 ms (-X importtime)

        path, sebagai, read, reading = self.path, self.sebagai, self.read, self.area_reading
        assert path is not None

        def apply(store: SessionStore) -> Imported:
            plan, changed = import_xlsx(store, path, sebagai, read)  # planned again on the session as it is now
            try:
                saved: Path | str = save_report(store.path, plan.report_text(path.name, changed))
            except (OSError, TpiError) as exc:  # the answers are in; only the report file is missing
                saved = str(exc) if isinstance(exc, TpiError) else os_reason(exc)
            return Imported(plan.placed, changed, saved, answers_copy(store), store.evaluate(reading))

        self.phase = "menerapkan"
        self._say("Menerapkan …")
        self.writer.call(apply, ImportApplied, reply_to=self)

    @on(ImportApplied)
    def _applied(self, event: ImportApplied) -> None:
        if event.error is not None:
            self.phase = "pratinjau"
            self._say(event.error)
            return
        self.dismiss(event.result)

    def action_cancel(self) -> None:
        if self.phase == "menerapkan":
            return  # the write is under way; its result closes the dialog
        self.phase = "batal"  # a plan still in the writer finds no dialog: the writer counts it as done
        self.dismiss(None)
