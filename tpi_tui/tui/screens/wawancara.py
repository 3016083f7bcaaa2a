"""Wawancara: the cockpit. Navigator left, the item right, live score and autosave on top.

The screen composes widgets (``tui/widgets``) and holds the session state: the answers as the
writer last confirmed them, the evaluation, and the writer thread (``Saver``) every save goes to.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal
from textual.widgets import Footer, Static

from ...core.rules.answers import STATE_LABEL
from ...core.rules.ba_fields import set_paparan, set_sub_area_note
from ...core.rules.policy import needs_alasan
from .. import clock
from ..base import TpiScreen
from ..edits import Edits
from ..format import is_answered
from ..widgets.item_pane import ItemPane
from ..widgets.navigator import Navigator
from ..widgets.score_bar import SaveState, ScoreBar
from ..writer import (
    AnswerSaved,
    ConflictResolved,
    HistoryRead,
    MetaSaved,
    MetaWritten,
    Reloaded,
    Reply,
    ReviewRead,
    SaveFailed,
    Writer,
    answers_copy,
)
from .impor import ImporScreen
from .konfirmasi import KonfirmasiScreen
from .konflik import KonflikScreen
from .panduan import PanduanScreen

if TYPE_CHECKING:
    from ...core.rules.answers import AnswerDoc
    from ...core.rules.scoring import Evaluation
    from ...core.session.store import SessionStore
    from ..app import PaletteEntry
    from ..writer import Imported


class ItemCommands(Provider):
    """Command palette: jump to an item by its number or by words of its question."""

    def _commands(self) -> list[PaletteEntry]:
        screen = self.screen
        assert isinstance(screen, WawancaraScreen)
        return screen.palette_commands() + screen.tpi.app_commands()  # the screen's first, always

    async def discover(self) -> Hits:
        for title, action, help_text in self._commands():
            yield DiscoveryHit(title, action, help=help_text)

    async def search(self, query: str) -> Hits:
        screen = self.screen
        assert isinstance(screen, WawancaraScreen)
        q = query.strip()
        matcher = self.matcher(query)
        for title, action, help_text in self._commands():  # pindah layar by its name too
            score = 0 if q.isdigit() else matcher.match(title)  # a number is an item number
            if score > 0:
                yield Hit(score * 0.9, matcher.highlight(title), action, help=help_text)
        found = screen.inst.search(q) if q else []
        for item in found[:40]:
            text = f"{item.id}. {item.pertanyaan}"
            yield Hit(
                1.0 if q.isdigit() else 0.8,
                matcher.highlight(text),
                partial(screen.show_item, item.id),
                help=f"Butir · {item.sub_area} · {item.label}",
            )


class WawancaraScreen(TpiScreen):
    CSS_PATH = "wawancara.tcss"  # read when first shown (launch parses Beranda's CSS only)
    COMMANDS = TpiScreen.COMMANDS | {ItemCommands}
    LISTS_APP_COMMANDS = True  # ItemCommands lists the app's entries after the screen's
    BINDINGS = [
        *[
            Binding(k, f"answer('tpi', '{k}')", f"TPI {k.upper()}", id=f"wawancara.tpi-{k}", show=False)
            for k in ("y", "t", "a", "b", "c", "d", "e")
        ],
        *[
            Binding(k.upper(), f"answer('unit', '{k}')", f"Unit {k.upper()}", id=f"wawancara.unit-{k}", show=False)
            for k in ("y", "t", "a", "b", "c", "d", "e")
        ],
        # the footer shows these, in this order, at 80 columns: F1 first, then the keys used most
        Binding("f1", "help", "Bantuan", id="wawancara.bantuan"),
        Binding("n", "next_unanswered", "Belum", id="wawancara.belum-dijawab", tooltip="Butir belum dijawab"),
        Binding("]", "step(1)", "Maju", id="wawancara.berikut", tooltip="Butir berikutnya"),
        Binding("[", "step(-1)", "Mundur", id="wawancara.sebelum", tooltip="Butir sebelumnya"),
        Binding("r", "summary", "Ringkasan", id="wawancara.ringkasan"),
        Binding("p", "panduan", "Panduan", id="wawancara.panduan"),
        Binding("s", "cycle_state", "Status", id="wawancara.status", show=False, tooltip="Ganti status butir"),
        Binding("h", "history", "Riwayat", id="wawancara.riwayat", show=False, tooltip="Riwayat perubahan butir"),
        Binding("ctrl+b", "minutes", "Berita Acara", id="wawancara.berita-acara", show=False),
        Binding("g", "catatan_sub_area", "Catatan sub-area", id="wawancara.catatan-sub-area", show=False),
        Binding("u", "syarat", "Syarat usulan", id="wawancara.syarat", show=False),
        Binding("i", "isi_ba", "Isi Berita Acara", id="wawancara.isi-ba", show=False),
        Binding(
            "v",
            "paparan",
            "Paparan",
            id="wawancara.paparan",
            show=False,
            tooltip="Daftar periksa paparan pimpinan unit",
        ),
        Binding("escape", "back", "Kembali", id="wawancara.kembali"),
        Binding("ctrl+s", "flush", "Simpan", id="wawancara.simpan", show=False),
        Binding("k", "conflicts", "Konflik", id="wawancara.konflik", show=False),
        Binding("x", "impor", "Impor Excel", id="wawancara.impor", show=False),
    ]
    WATCH_SECONDS = 0.5  # how often the session file is checked for a change from outside (git pull)

    def __init__(self, store: SessionStore, area_reading: str = "keduanya") -> None:
        super().__init__()
        self.writer = Writer(store, area_reading=area_reading)  # the only path to the store from now on
        self.inst = self.writer.instrument
        self.area_reading = area_reading  # workspace penilaian.ambang_per_area
        self.current: int = self.inst.order[0]
        opened, meta = self.writer.opened, self.writer.view.meta  # read by the writer before it runs
        self.evaluation = opened.evaluation
        self.answers: dict[str, AnswerDoc] = dict(opened.answers)
        self.started = clock.monotonic()
        # the interview clock sums every time the session was open (core keeps the seconds)
        self.clock_base = int(meta.get("durasi_detik") or 0)
        self.saved_at = ""
        self._locked_final: bool | None = None
        self.nav = Navigator(self.inst, self.answers, id="nav")
        self.edits = Edits()  # what the assessor changed and the writer has not been handed yet
        self.pane = ItemPane(self.inst, self.answers, meta.get("narasumber", []), self.edits, id="item-pane")
        self._seen_reloads = self.writer.view.reloads  # the store's reload count this screen has shown
        self._watching = False  # an external-change check is queued in the writer

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        if self.readonly:
            yield Static(
                "HANYA-BACA — sesi ini sedang dibuka untuk penulisan oleh jendela/proses lain. "
                "Perubahan tidak akan disimpan.",
                id="readonly-banner",
            )
        yield Static("FINAL — buka kembali dengan alasan untuk mengubah (Ringkasan: r, lalu o).", id="final-banner")
        yield ScoreBar("", id="scorebar")
        with Horizontal(id="cockpit"):
            yield self.nav
            yield self.pane
        yield Footer(compact=True)  # F1 and the six keys used most fit 80 columns

    def on_mount(self) -> None:
        meta = self.writer.view.meta
        self.tpi.sub_title = f"{meta['opd']['nama']} · {meta.get('tanggal', '')}"
        self.nav.build()
        self.writer.app = self.app
        self.run_worker(self.writer.run, thread=True, group="simpan", name="simpan", exit_on_error=False)
        self.set_interval(1.0, self.refresh_bar)
        self.set_interval(self.WATCH_SECONDS, self.watch_external)
        first = next((i for i in self.inst.order if not is_answered(self.answers.get(str(i), {}))), self.current)
        self.show_item(first)
        self.nav.focus()

    @property
    def elapsed(self) -> float:
        return self.clock_base + clock.monotonic() - self.started

    def on_unmount(self) -> None:
        try:
            self.flush_pending()  # text typed just before leaving is still saved (the writer outlives us)
            if not (self.readonly or self.final) and int(self.elapsed) > self.clock_base:
                self.writer.put(None, {"durasi_detik": int(self.elapsed)}, reply_to=self)
        finally:
            self.writer.stop()  # always: a writer left running would keep the app from exiting

    # -- showing an item -----------------------------------------------------------------------
    def show_item(self, item_id: int, from_tree: bool = False) -> None:
        # One repaint for the whole item (a profile showed ~3 refreshes per step without it).
        with self.app.batch_update():
            self.flush_pending()
            self.current = item_id
            self.pane.show(item_id)
            if not from_tree:
                self.nav.reveal(item_id)
            self.refresh_bar()
        clash = self.answers.get(str(item_id), {}).get("konflik")
        if clash:
            fields = ", ".join(str(c.get("field")) for c in clash)
            self.notify(
                f"Butir {item_id}: konflik penggabungan pada {fields}. Tekan k untuk memilih nilai, "
                "atau ketik nilai baru.",
                title="⚠ Konflik",
                severity="warning",
            )

    @on(Navigator.ItemChosen)
    def _nav_chosen(self, event: Navigator.ItemChosen) -> None:
        self.show_item(event.item_id, from_tree=True)

    # -- answering -----------------------------------------------------------------------------
    def action_answer(self, side: str, key: str) -> None:
        item = self.inst.items[self.current]
        if not item.is_choice:
            self.notify(f"Butir {item.id} diisi dengan angka: ketik di kolom nilai.", severity="warning")
            return
        hot = [k[0].lower() for k in item.keys]
        if key not in hot:  # e.g. y on an A/B/C item: say which keys fit instead of a save error
            self.notify(f"Butir {item.id} dijawab dengan {'/'.join(hot)}.", severity="warning")
            return
        field = "jawaban_tpi" if side == "tpi" else "jawaban_unit"
        # the option as the store keeps it ("A", "Ya"), not the key typed: until the writer confirms
        # both sides, the pane compares a confirmed "A" with this one (a raw "a" read as a difference,
        # showed the alasan box, and a Tab in the same burst put the note into the alasan).
        # The dijawab transition is core's (core.rules.policy), applied on save.
        self.edit(item.id, {field: item.keys[hot.index(key)]})

    def action_cycle_state(self) -> None:
        answer = self.answers.get(str(self.current), {})
        order = list(STATE_LABEL)
        state = order[(order.index(answer.get("state", "belum")) + 1) % len(order)]
        self.edit(self.current, {"state": state})

    def edit(self, item_id: int, fields: dict) -> None:
        """An edit made by a key on this screen: recorded like the pane's, then saved with the rest."""
        self.edits.put(item_id, {**self.pane.carried(item_id), **fields})
        self.pane.answer_changed(item_id, fields)  # shown at once (e.g. the alasan box), confirmed later
        self.flush_pending()
        self.refresh_bar()

    @on(ItemPane.Edited)
    def _pane_edited(self) -> None:
        self.flush_pending()
        self.refresh_bar()

    def flush_pending(self) -> None:
        """Hand every waiting edit to the writer now: text in its typing pause, the value inputs as
        they stand, and every edit that failed before (retried)."""
        self.pane.capture()
        for item_id, fields in self.edits.take().items():
            self.save(item_id, fields)

    def action_flush(self) -> None:
        self.flush_pending()
        self.refresh_bar()

    # -- saving (the worker does the disk write) -----------------------------------------------
    @property
    def final(self) -> bool:
        """Final as of the newest reply the UI handled (a sign-off or finalize in Ringkasan too)."""
        return self.writer.view.final

    @property
    def readonly(self) -> bool:
        return self.writer.view.readonly

    def apply_final(self) -> None:
        """Show the FINAL banner and make the text fields read-only while the session is final."""
        final = self.final
        if final == self._locked_final:
            return
        self._locked_final = final
        self.query_one("#final-banner").display = final
        self.pane.set_locked(final or self.readonly)

    def on_screen_resume(self) -> None:
        self.refresh_bar()

    def save(self, item_id: int, fields: dict) -> None:
        if self.readonly:
            self.notify("Sesi dibuka hanya-baca; perubahan tidak disimpan.", severity="warning")
            return
        if self.final:
            self.notify(
                "Sesi sudah final dan terkunci. Buka kembali dengan alasan (Ringkasan, o) untuk mengubah.",
                title="Sesi final",
                severity="warning",
            )
            return
        self.writer.put(item_id, fields, reply_to=self)

    def _mark_saved(self) -> None:
        """Set the "Tersimpan HH.MM.SS" mark on the instansi's wall clock (tpi.toml zona_waktu)."""
        self.saved_at = clock.stamp(self.tpi.ws.config.zona_waktu)

    @on(Reply)
    def _any_reply(self) -> None:
        # Runs after the reply's own handler. Every job that ends may be the last one queued: the
        # status line must leave "Menyimpan…" even when the handler had nothing to redraw (e.g. a
        # reload that found no change).
        self.refresh_bar()

    @on(MetaSaved)
    def _meta_saved(self, event: MetaSaved) -> None:
        self.evaluation = event.evaluation
        self._mark_saved()

    @on(AnswerSaved)
    def _saved(self, event: AnswerSaved) -> None:
        item_id, changed, answer = event.item_id, event.changed, event.answer
        self.evaluation = event.evaluation
        self._mark_saved()
        self.edits.saved(item_id, event.fields)
        if answer != self.answers.get(str(item_id)):
            # the stored document replaces our copy: state transition and conflicts as core left them
            # (a conflict resolved by choosing the stored value changes no field, only the document)
            self.answers[str(item_id)] = answer
            self.nav.refresh_item(item_id)
            self.pane.answer_changed(item_id, changed)
        if changed:
            if item_id == self.current and ("jawaban_tpi" in changed or "jawaban_unit" in changed):
                # an alasan typed in the same burst (still on its way to the writer) counts
                pending = self.edits.value(item_id, "alasan", answer.get("alasan"))
                if needs_alasan({**answer, "alasan": pending if isinstance(pending, str) else ""}):
                    self.notify(
                        "Jawaban TPI berbeda dari jawaban unit: isi alasan perbedaannya.",
                        title="Alasan diperlukan",
                        severity="warning",
                    )
        elif item_id == self.current:
            self.pane.mark()

    @on(SaveFailed)
    def _save_failed(self, event: SaveFailed) -> None:
        # The value stays in its field and in ``edits`` (marked); it is retried on the next change,
        # on leaving a field, on Ctrl+S and on moving to another item.
        if event.item_id is not None:
            self.edits.save_failed(event.item_id, event.fields, event.error)
            if event.item_id == self.current:
                self.pane.mark()
        self.notify(event.error, title="Gagal menyimpan", severity="error", timeout=8)

    # -- Berita Acara content (dialogs in isi_berita_acara.py; writes go through the writer) --------
    def _writable(self) -> bool:
        if self.readonly:
            self.notify("Sesi dibuka hanya-baca; perubahan tidak disimpan.", severity="warning")
            return False
        if self.final:
            self.notify(
                "Sesi sudah final dan terkunci. Buka kembali dengan alasan (Ringkasan, o) untuk mengubah.",
                title="Sesi final",
                severity="warning",
            )
            return False
        return True

    def _write_meta(self, fn: Callable[[SessionStore], object], done_text: str) -> None:
        """Run ``fn(store)`` in the writer thread, then refresh the score (syarat are in the verdict)."""
        reading = self.area_reading

        def work(store: SessionStore) -> tuple[str, Evaluation]:
            fn(store)
            return done_text, store.evaluate(reading)

        self.writer.call(work, MetaWritten, reply_to=self)
        self.refresh_bar()

    @on(MetaWritten)
    def _isi_ba_done(self, event: MetaWritten) -> None:
        if event.error or event.result is None:
            self.notify(event.error or "", title="Gagal menyimpan", severity="error", timeout=8)
        else:
            pesan, self.evaluation = event.result
            self._mark_saved()
            self.notify(pesan, title="Berita Acara")

    def action_catatan_sub_area(self) -> None:
        """The note of the sub-area under the cursor (or of the current item's sub-area)."""
        from .isi_berita_acara import CatatanSubAreaScreen  # lazy: 7 ms of opening the cockpit (-X importtime)

        node = self.nav.cursor_node
        data = node.data if node is not None else None
        if data and data[0] == "sub" and data[1] in self.inst.sub_areas:
            kode = data[1]
        elif self.inst.items[self.current].sub_area in self.inst.sub_areas:
            kode = self.inst.items[self.current].sub_area
        else:
            self.notify("Arahkan kursor ke simpul sub-area di navigator untuk menulis catatannya.", severity="warning")
            return
        if not self._writable():
            return
        sub = self.inst.sub_areas[kode]
        text = (self.writer.view.meta.get("catatan_sub_area") or {}).get(kode, "")

        def chosen(result: str | None) -> None:
            if result is not None and result != text:
                self._write_meta(
                    lambda store: set_sub_area_note(store, kode, result), f"Catatan sub-area {kode} disimpan."
                )

        self.app.push_screen(CatatanSubAreaScreen(kode, sub.nama, text), chosen)

    def action_syarat(self) -> None:
        from .isi_berita_acara import SyaratScreen  # lazy: 7 ms of opening the cockpit (-X importtime)

        if not self._writable():
            return
        meta = self.writer.view.meta
        before = meta.get("syarat") or {}

        def chosen(result: dict | None) -> None:
            if result is not None and result != before:
                self._write_meta(lambda store: store.set_meta({"syarat": result}), "Syarat usulan disimpan.")

        self.app.push_screen(SyaratScreen(before, meta.get("target", "WBK")), chosen)

    def action_paparan(self) -> None:
        """v: the checklist of the head of the unit's presentation (recorded like every edit)."""
        from .isi_berita_acara import PaparanScreen  # lazy: 7 ms of opening the cockpit (-X importtime)

        if not self._writable():
            return
        before = dict(self.writer.view.meta.get("paparan") or {})

        def chosen(result: dict | None) -> None:
            if result is not None and result != before:
                self._write_meta(
                    lambda store: set_paparan(store, result.get("dibahas", []), result.get("catatan", "")),
                    "Paparan pimpinan unit dicatat.",
                )

        self.app.push_screen(PaparanScreen(before), chosen)

    def action_isi_ba(self) -> None:
        from .isi_berita_acara import IsiBeritaAcaraScreen  # lazy: 7 ms of opening the cockpit (-X importtime)

        if not self._writable():
            return
        meta = dict(self.writer.view.meta)

        def chosen(result: dict | None) -> None:
            if result is None:
                return
            changes = {k: v for k, v in result.items() if (meta.get(k) or type(v)()) != v}
            if changes:
                self._write_meta(lambda store: store.set_meta(changes), "Isi Berita Acara disimpan.")

        self.app.push_screen(IsiBeritaAcaraScreen(meta), chosen)

    def action_impor(self) -> None:
        """x: answers from an LKE Excel file; the dialog previews the import report, then applies it
        through this screen's writer (after every save handed in before)."""
        if not self._writable():
            return
        self.flush_pending()
        self.app.push_screen(ImporScreen(self.writer, self.area_reading), self._imported)

    def _imported(self, result: Imported | None) -> None:
        if result is None:
            return
        self.answers.clear()
        self.answers.update(result.answers)  # the navigator and the item pane share this dict
        self.evaluation = result.evaluation
        self._seen_reloads = self.writer.view.reloads
        self._mark_saved()
        with self.app.batch_update():
            for item_id in self.inst.order:
                self.nav.refresh_item(item_id)
            if not self.edits:
                self.pane.show(self.current)
            self.refresh_bar()
        report = result.report_path
        where = (
            f"laporan impor: {report}" if not isinstance(report, str) else f"laporan impor tidak tersimpan ({report})"
        )
        self.notify(
            f"Impor selesai: {result.placed} butir ditempatkan, {result.changed} isian berubah; {where}.",
            title="Impor LKE Excel",
            timeout=10,
        )

    @on(HistoryRead)
    def _history_read(self, event: HistoryRead) -> None:
        from .riwayat import RiwayatScreen  # lazy: core.history, 15 ms of opening the cockpit (-X importtime)

        item_id, events = event.result if event.result is not None else (self.current, [])
        self.app.push_screen(RiwayatScreen(item_id, events, event.error))

    # -- changes from outside (git pull, a merge) and merge conflicts ---------------------------
    def watch_external(self) -> None:
        """A stat of the session file; when it changed, the writer reloads it and we redraw."""
        if self._watching:
            return
        if not self.writer.changed_on_disk() and self.writer.view.reloads == self._seen_reloads:
            return
        self._watching = True
        self.flush_pending()  # typed text goes first, onto the new version (no lost update)
        reading = self.area_reading

        def reload(store: SessionStore) -> tuple[dict[str, AnswerDoc], Evaluation]:
            store.refresh()
            return answers_copy(store), store.evaluate(reading)

        self.writer.call(reload, Reloaded, reply_to=self)

    @on(Reloaded)
    def _external_loaded(self, event: Reloaded) -> None:
        self._watching = False
        if event.error is not None or event.result is None:
            self.notify(event.error or "", title="Sesi diubah dari luar", severity="error", timeout=10)
            return
        answers, evaluation = event.result
        reloads = event.view.reloads
        if reloads == self._seen_reloads:
            return
        self._seen_reloads = reloads
        self.answers.clear()
        self.answers.update(answers)  # the navigator and the item pane share this dict
        self.evaluation = evaluation
        with self.app.batch_update():
            for item_id in self.inst.order:
                self.nav.refresh_item(item_id)
            if not self.edits:
                self.pane.show(self.current)
            self.refresh_bar()
        n = sum(len(a.get("konflik") or []) for a in answers.values())
        self.notify(
            "Sesi diperbarui dari luar" + (f"; {n} konflik penggabungan (tekan k)." if n else "."),
            title="Sesi diperbarui",
            severity="warning" if n else "information",
            timeout=6,
        )

    def action_conflicts(self) -> None:
        """Choose a side for the current item's conflicts, or go to the next conflicting item."""
        here = self.answers.get(str(self.current), {}).get("konflik") or []
        if not here:
            order = self.inst.order
            i = order.index(self.current)
            nxt = next((x for x in order[i + 1 :] + order[:i] if self.answers.get(str(x), {}).get("konflik")), None)
            if nxt is None:
                self.notify("Tidak ada konflik penggabungan di sesi ini.")
            else:
                self.show_item(nxt)
            return
        self.app.push_screen(KonflikScreen(self.current, here), partial(self._conflict_chosen, self.current))

    def _conflict_chosen(self, item_id: int, choice) -> None:
        if choice is None:
            return
        field, value = choice
        if self.readonly or self.final:
            self.save(item_id, {field: value})  # says why nothing is saved
            return
        reading = self.area_reading

        def resolve(store: SessionStore) -> tuple[int, AnswerDoc, Evaluation]:
            saved = store.set_item(item_id, {field: value}, reason="konflik diselesaikan di kokpit")
            return item_id, saved.answer, store.evaluate(reading)

        self.writer.call(resolve, ConflictResolved, reply_to=self)

    @on(ConflictResolved)
    def _conflict_resolved(self, event: ConflictResolved) -> None:
        if event.error is not None or event.result is None:
            self.notify(event.error or "", title="Gagal menyimpan", severity="error", timeout=8)
            return
        item_id, answer, self.evaluation = event.result
        self.answers[str(item_id)] = answer
        self.nav.refresh_item(item_id)
        if item_id == self.current:
            self.pane.show(item_id)
        self._mark_saved()
        self.notify(f"Konflik butir {item_id} diselesaikan.")

    # -- the score bar -------------------------------------------------------------------------
    def refresh_bar(self) -> None:
        self.apply_final()
        save = SaveState(
            readonly=self.readonly,
            final=self.final,
            writing=not self.writer.idle,
            unsaved=self.edits.unsaved,
            problems=self.edits.problems,
            saved_at=self.saved_at,
        )
        done = len(self.inst.order) - len(self.evaluation.tpi.unanswered)
        self.query_one(ScoreBar).show(
            self.evaluation, self.inst.items[self.current], done, len(self.inst.order), self.elapsed, save
        )

    # -- moving around -------------------------------------------------------------------------
    def action_step(self, step: int) -> None:
        """]/[: the next/previous item in the navigator's order (what the assessor sees)."""
        order = self.nav.order
        i = order.index(self.current)
        self.show_item(order[max(0, min(len(order) - 1, i + step))])

    def action_next_unanswered(self) -> None:
        order = self.nav.order
        i = order.index(self.current)
        for item_id in order[i + 1 :] + order[: i + 1]:
            if not is_answered(self.answers.get(str(item_id), {})):
                self.show_item(item_id)
                return
        self.notify("Semua butir sudah dijawab. Tekan r untuk ringkasan.")

    def action_back(self) -> None:
        """Esc: from a field back to the navigator; from the navigator, ask before leaving."""
        if self.focused is not self.nav:
            self.nav.focus()
            return
        self.flush_pending()

        text = "Sesi ditutup; semua isian yang tersimpan tetap ada dan sesi dapat dibuka lagi dari Beranda."
        if self.edits.problems:
            text = (
                f"{self.edits.problems} isian BELUM TERSIMPAN dan akan hilang bila sesi ditutup sekarang "
                "(tekan Esc, lalu Ctrl+S untuk mencoba menyimpan lagi)."
            )
        self.app.push_screen(
            KonfirmasiScreen("Kembali ke Beranda?", text, yes="tutup sesi", no="tetap di sini"), self._leave
        )

    def _leave(self, yes: bool | None) -> None:
        if yes:
            self.app.pop_screen()

    def unsaved_warning(self) -> str | None:
        """For quitting the app: what would be lost, or None when everything is stored or on its way
        (then it is handed to the writer, which finishes after the app has gone)."""
        if not self.edits.problems:
            self.flush_pending()
            return None
        return f"{self.edits.problems} isian di sesi {self.writer.view.meta['opd']['nama']} belum tersimpan."

    def action_panduan(self) -> None:
        self.app.push_screen(PanduanScreen(self.inst, self.answers), self._jump)

    def action_summary(self) -> None:
        """Ringkasan opens once the writer has read the review status (after pending saves), so its
        first frame already shows the sign-off rows."""
        from .ringkasan import review_snapshot  # lazy: 22 ms of opening the cockpit (-X importtime)

        self.flush_pending()
        self.writer.call(review_snapshot, ReviewRead, reply_to=self)

    @on(ReviewRead)
    def _open_summary(self, event: ReviewRead) -> None:
        from .ringkasan import RingkasanScreen  # lazy: 22 ms of opening the cockpit (-X importtime)

        if event.error:
            self.notify(event.error, title="Ringkasan", severity="error")
        self.app.push_screen(
            RingkasanScreen(self.writer, self.evaluation, self.answers, review=event.result), self._jump
        )

    def action_history(self) -> None:
        """The changes of the current item, read in the writer thread (after pending saves)."""
        from ...core.session.history import history  # lazy: 10 ms of opening the cockpit (-X importtime)

        self.flush_pending()
        item_id = self.current
        self.writer.call(lambda store: (item_id, history(store, item_id)), HistoryRead, reply_to=self)

    def action_minutes(self) -> None:
        from .berita_acara import BeritaAcaraScreen  # lazy: 4 ms of opening the cockpit (-X importtime)

        self.flush_pending()
        self.app.push_screen(BeritaAcaraScreen(self.writer))

    def _jump(self, item_id: int | None) -> None:
        if item_id:
            self.show_item(item_id)
            self.nav.focus()

    def palette_commands(self) -> list[PaletteEntry]:
        """(title, action, help) of every screen and list the cockpit opens: the palette's
        'pindah layar' entries, in Indonesian."""
        return [
            ("Butir berikutnya yang belum dijawab (n)", self.action_next_unanswered, "Lompat ke butir belum dijawab"),
            ("Ringkasan penilaian (r)", self.action_summary, "Nilai per area, predikat, daftar butir"),
            ("Panduan narasumber (p)", self.action_panduan, "Pertanyaan per narasumber dan butirnya"),
            ("Paparan pimpinan unit (v)", self.action_paparan, "Daftar periksa paparan di awal wawancara"),
            ("Riwayat perubahan butir (h)", self.action_history, "Siapa mengubah apa, kapan"),
            ("Berita Acara (Ctrl+B)", self.action_minutes, "Pratinjau dan ekspor Berita Acara"),
            ("Isi Berita Acara (i)", self.action_isi_ba, "Jabatan pimpinan, tanggapan, tindak lanjut"),
            ("Syarat usulan (u)", self.action_syarat, "TLHP, SAKIP, LHKPN, LHKASN dengan buktinya"),
            ("Catatan sub-area (g)", self.action_catatan_sub_area, "Catatan TPI untuk sub-area butir ini"),
            (
                "Konflik penggabungan (k)",
                self.action_conflicts,
                "Pilih nilai butir yang diubah berbeda oleh dua penilai",
            ),
            (
                "Impor LKE Excel (x)",
                self.action_impor,
                "Jawaban dari berkas .xlsx unit: pratinjau, lalu terapkan atau batal",
            ),
            ("Kembali ke Beranda (Esc)", self.action_back, "Menutup sesi ini; isian sudah tersimpan"),
        ]

    def action_help(self) -> None:
        from .bantuan import BantuanScreen  # lazy: textual Markdown, 34 ms of opening the cockpit (-X importtime)

        focused = self.focused.id if self.focused is not None else None
        self.app.push_screen(BantuanScreen(focused))
