"""Ringkasan: scores per area, Hasil, verdicts, and lists that jump back to their item."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from ...core.rules.answers import format_value
from ...core.rules.policy import TIERS, StatusSesi
from ...core.rules.scoring import GABUNGAN, THRESHOLDS, fmt
from ...core.team.review import STATUS_LABEL, finalize, gaps, reopen, sign_off, signoff_state
from ...core.text import show
from ..base import TpiScreen
from ..format import differs
from ..plain import plain
from ..widgets.area_chart import AreaChart, bars_from_scores
from ..writer import ReviewActed, ReviewRead, Writer
from .berita_acara import BeritaAcaraScreen
from .reviu import BukaKembaliScreen, FinalMeskiBelumLengkapScreen, TandaTanganScreen

if TYPE_CHECKING:
    from ...core.rules.answers import AnswerDoc
    from ...core.rules.scoring import Evaluation
    from ...core.session.store import SessionStore


class RingkasanScreen(TpiScreen):
    TPI_TITLE = "Ringkasan penilaian"
    TPI_HELP = "Predikat lebih dulu, lalu nilai per area dan grafik: ↓ PgDn End menggulir. Tab ke Daftar (butir Hasil, belum dijawab, perbedaan, temuan); Enter membuka butir."
    CSS_PATH = "ringkasan.tcss"  # read when first shown (launch parses Beranda's CSS only)
    BINDINGS = [
        Binding("escape", "back", "Kembali", id="ringkasan.kembali"),
        Binding("ctrl+b", "minutes", "Berita Acara", id="ringkasan.berita-acara", show=False),  # F1 lists it
        Binding("t", "sign_off", "Tanda tangan", id="ringkasan.tanda-tangan", tooltip="Tanda tangan reviu"),
        Binding("f", "finalize", "Finalkan", id="ringkasan.finalkan"),
        Binding("o", "reopen", "Buka kembali", id="ringkasan.buka-kembali"),
    ]

    def __init__(
        self,
        writer: Writer,
        evaluation: Evaluation,
        answers: dict[str, AnswerDoc],
        review: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.writer = writer  # the cockpit's writer thread: every store access goes through it
        self.ev = evaluation
        self.answers = answers
        self.inst = writer.instrument
        self.review: dict[str, Any] | None = review  # the last lifecycle snapshot read by the writer thread

    def compose(self) -> ComposeResult:
        # The verdict first; the scores scroll (↓ PgDn End) above the Daftar, which scrolls on its
        # own (Tab): at 80x24 both are on screen, each part reachable by the keyboard.
        with VerticalScroll(id="summary"):
            yield Static("", id="totals")
            yield Static("", id="verdicts")
            yield Static(review_text(self.review) if self.review else "Membaca status reviu…", id="review")
            yield DataTable(id="areas", cursor_type="row", zebra_stripes=True)
            yield AreaChart(bars_from_scores(self.ev.tpi, self.ev.unit, self.ev.verdicts["WBK"]), id="area-chart")
            yield Static("", id="hasil")
        yield Label("Daftar (Tab ke sini, Enter membuka butir):", classes="field-label", id="entries-label")
        yield OptionList(id="entries")
        yield Footer(compact=True)  # four keys, F1 and ^p cari fit 80 columns

    def on_mount(self) -> None:
        ev = self.ev
        tpi, unit = ev.tpi, ev.unit
        target = self.review["target"] if self.review else "WBK"
        minimum = THRESHOLDS.get(target, THRESHOLDS["WBK"])["area_persen"]
        if self.review is None:  # opened without a snapshot: read it now (the rows appear when read)
            self.load_review()
        self.query_one("#totals", Static).update(
            Text.assemble(
                ("Ringkasan penilaian", "bold"),
                f"  ·  target {target}\n",
                f"Total TPI {fmt(tpi.total)} (unit {fmt(unit.total)}) · pengungkit {fmt(tpi.pengungkit)} · "
                f"hasil {fmt(tpi.hasil)}"
                + (f" · sementara: {len(tpi.unanswered)} butir belum dijawab" if tpi.unanswered else ""),
            )
        )
        table = self.query_one("#areas", DataTable)
        verdict = ev.verdicts.get(target) or ev.verdicts["WBK"]
        parts = {c.part for c in verdict.area_checks}  # the reading of tpi.toml, as core judged it
        columns = []
        if GABUNGAN in parts:
            columns.append(f"≥{fmt(minimum, 0)}% gab.")
        if parts - {GABUNGAN}:
            columns.append(f"≥{fmt(minimum, 0)}% P/R")
        table.add_columns("Area", "Bobot", "Unit", "TPI", "%", *columns)
        units = {a.kode: a for a in unit.areas}
        for a in tpi.areas:
            table.add_row(
                area_label(a.nama, self.app.size.width),
                fmt(a.bobot),
                fmt(units[a.kode].nilai),
                fmt(a.nilai),
                fmt(a.persen),
                *area_minimum(verdict, a.kode),
                key=a.kode,
            )
        self.query_one("#hasil", Static).update(
            Text.assemble(
                ("Hasil: ", "bold"),
                f"IPAK {fmt(tpi.ipak_survei) if tpi.ipak_survei is not None else '—'} → {fmt(tpi.ipak)} · "
                f"Capaian kinerja {tpi.kinerja_opsi or '—'} → {fmt(tpi.kinerja)} · "
                f"IPKP {fmt(tpi.ipkp_survei) if tpi.ipkp_survei is not None else '—'} → {fmt(tpi.ipkp)}",
            )
        )
        text = Text()
        for name, v in ev.verdicts.items():
            text.append(f"{name}: ", "bold")
            text.append("MEMENUHI\n" if v.met else "BELUM MEMENUHI\n", "bold green" if v.met else "bold red")
            for f in v.failed[:8]:
                text.append(f"  • {f}\n")
            if len(v.failed) > 8:
                text.append(f"  … dan {len(v.failed) - 8} syarat lain\n", "dim")
        self.query_one("#verdicts", Static).update(text)
        self.fill_entries()
        self.query_one("#summary").focus(scroll_visible=False)  # ↓ PgDn End scroll the scores at once

    def fill_entries(self) -> None:
        ol = self.query_one("#entries", OptionList)
        inst = self.inst
        hasil_ids = [i.id for i in inst.hasil_items()]
        ol.add_option(Option(Text("Isian Hasil (IPAK, capaian kinerja, IPKP)", style="bold"), disabled=True))
        for item_id in hasil_ids:
            item = inst.items[item_id]
            value = format_value(item, self.answers.get(str(item_id), {}).get("jawaban_tpi"))
            ol.add_option(Option(f"  {item_id:>3} {value:<5} {item.pertanyaan[:90]}", id=f"h{item_id}"))
        unanswered = self.ev.tpi.unanswered
        ol.add_option(Option(Text(f"Belum dijawab ({len(unanswered)})", style="bold"), disabled=True))
        for item_id in unanswered:
            ol.add_option(Option(f"  {item_id:>3} {inst.items[item_id].pertanyaan[:90]}", id=f"u{item_id}"))
        diffs = [i for i in inst.order if differs(self.answers.get(str(i), {}))]
        ol.add_option(Option(Text(f"Perbedaan TPI dan unit ({len(diffs)})", style="bold"), disabled=True))
        for item_id in diffs:
            a, item = self.answers[str(item_id)], inst.items[item_id]
            alasan = (a.get("alasan") or "").strip() or "ALASAN BELUM DIISI"
            ol.add_option(
                Option(
                    plain(
                        f"  {item_id:>3} unit {format_value(item, a.get('jawaban_unit'))} → TPI "
                        f"{format_value(item, a.get('jawaban_tpi'))}: {alasan[:70]}"
                    ),
                    id=f"d{item_id}",
                )
            )
        temuan = [i for i in inst.order if (self.answers.get(str(i), {}).get("temuan") or "").strip()]
        ol.add_option(Option(Text(f"Temuan dan rekomendasi ({len(temuan)})", style="bold"), disabled=True))
        for item_id in temuan:
            a = self.answers[str(item_id)]
            rek = (a.get("rekomendasi") or "").strip() or "rekomendasi belum diisi"
            ol.add_option(
                Option(
                    plain(f"  {item_id:>3} {show(a['temuan'][:80])}\n      → {show(rek[:80])}", multiline=True),
                    id=f"t{item_id}",
                )
            )

    # -- review: lifecycle and sign-offs ---------------------------------------------------------
    def load_review(self) -> None:
        self.writer.call(review_snapshot, ReviewRead, reply_to=self)

    @on(ReviewRead)
    def _show_review(self, event: ReviewRead) -> None:
        snapshot = event.result
        if event.error or snapshot is None:
            text = Text(event.error or "Status reviu tidak terbaca.", style="bold red")
            self.query_one("#review", Static).update(text)
            return
        self.review = snapshot
        self.query_one("#review", Static).update(review_text(snapshot))

    def _act(self, act: Callable[[SessionStore], dict[str, Any]], ok: Callable[[dict[str, Any]], str]) -> None:
        """A review action in the writer thread; its sentence is written there from core's result."""
        self.writer.call(lambda store: ok(act(store)), ReviewActed, reply_to=self)

    @on(ReviewActed)
    def _review_done(self, event: ReviewActed) -> None:
        if event.error:
            self.notify(event.error, title="Reviu", severity="error", timeout=8)
        else:
            self.notify(event.result or "", title="Reviu")
        self.load_review()

    def action_sign_off(self) -> None:
        if self.review is None:
            return
        valid = {s["peran"] for s in self.review["signoffs"] if not s["stale"]}
        self.app.push_screen(
            TandaTanganScreen(self.review["tim"], self.tpi.actor, valid, self.review.get("kelengkapan", [])),
            self._signer_chosen,
        )

    def _signer_chosen(self, name: str | None) -> None:
        if name:
            self._act(
                lambda store: sign_off(store, name),
                lambda r: f"Tanda tangan {r['peran']} dicatat: {r['nama'].rstrip('.')}." if r else "",
            )

    def action_finalize(self) -> None:
        """Finalize; while the gate has reasons (unanswered, differences without alasan) ask for one."""
        warnings = (self.review or {}).get("kelengkapan") or []
        if warnings and self.review and self.review["status"] != StatusSesi.FINAL:
            self.app.push_screen(FinalMeskiBelumLengkapScreen(warnings), self._finalize_with_reason)
            return
        self._finalize_with_reason(None, ask=False)

    def _finalize_with_reason(self, reason: str | None, ask: bool = True) -> None:
        if ask and not reason:
            return  # the dialog was cancelled
        self._act(
            lambda store: finalize(store, override_reason=reason),
            lambda r: (
                "Sesi final dan terkunci; Berita Acara tidak lagi bertanda DRAF."
                + (
                    " Finalisasi meski belum lengkap dicatat beserta alasannya."
                    if r and r.get("finalize_override")
                    else ""
                )
            ),
        )

    def action_reopen(self) -> None:
        if self.review is not None and self.review["status"] != StatusSesi.FINAL:
            self.notify("Hanya sesi yang sudah final yang dapat dibuka kembali.", title="Reviu", severity="warning")
            return
        self.app.push_screen(BukaKembaliScreen(), self._reason_given)

    def _reason_given(self, reason: str | None) -> None:
        if reason:
            self._act(
                lambda store: reopen(store, reason), lambda r: "Sesi dibuka kembali; tanda tangan reviu perlu diulang."
            )

    @on(OptionList.OptionSelected, "#entries")
    def _jump(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(int(event.option.id[1:]))

    def action_back(self) -> None:
        self.dismiss(None)

    def action_minutes(self) -> None:
        self.app.push_screen(BeritaAcaraScreen(self.writer))


NARROW = 100  # columns below which an area's name is shortened so every column of the table fits


def area_label(nama: str, width: int) -> str:
    """The area's name; shortened to 22 characters below NARROW columns (the code is on the chart)."""
    return nama if width >= NARROW or len(nama) <= 22 else nama[:21] + "…"


def area_minimum(verdict, kode: str) -> list[str]:
    """The 'minimum met' cells of one area: the verdict's own checks (core.rules.scoring.Check) shown."""
    checks = {c.part: c for c in verdict.area_checks if c.area == kode}

    def yes(part: str) -> str:
        return "ya" if checks[part].passed else "tidak"

    cells = []
    if GABUNGAN in checks:
        cells.append(yes(GABUNGAN))
    if "pemenuhan" in checks:
        cells.append(f"{yes('pemenuhan')}/{yes('reform')}")
    return cells


def review_snapshot(store: SessionStore) -> dict[str, Any]:
    """What Ringkasan shows of the lifecycle; read in the writer thread, handed to the UI."""
    return {
        "status": str(store.meta.get("status", StatusSesi.DRAFT.value)),
        "target": str(store.meta.get("target", "WBK")),
        "signoffs": signoff_state(store),
        "tim": [dict(p) for p in store.meta.get("tim", []) if isinstance(p, dict)],
        "kelengkapan": gaps(store).problems(),  # the finalize gate's reasons (core.rules.policy)
        "konflik": len(store.conflicts()),
    }


def review_text(snapshot: dict) -> Text:
    status = snapshot["status"]
    style = {StatusSesi.FINAL: "bold green", StatusSesi.REVIEW: "bold underline"}.get(
        status, "bold"
    )  # readable on light too
    text = Text.assemble(
        ("Status: ", "bold"),
        (STATUS_LABEL.get(status, status), style),
        ("   t: tanda tangan reviu · f: finalkan · o: buka kembali", "dim"),
    )
    by_tier = {s.get("peran"): s for s in snapshot["signoffs"]}
    for peran in TIERS:
        s = by_tier.get(peran)
        text.append(f"\n  {peran:<18} ")
        if s is None:
            text.append("belum ditandatangani", "dim")
            continue
        ts = str(s.get("ts", ""))[:16].replace("T", " ").replace(":", ".")
        text.append(f"{s.get('nama', '')}  {ts}  #{str(s.get('digest', ''))[:12]}")
        if s.get("kunci_status") not in (None, "sah", "tanpa-kunci"):  # core.team.keys: any other state does not count
            text.append("  TIDAK SAH", "bold reverse red")
            text.append(" (tanda tangan tidak cocok dengan kunci terdaftar)", "red")
        elif s["stale"]:
            text.append("  KEDALUWARSA", "bold reverse red")
            text.append(" (isi berubah sesudah ditandatangani)", "red")
        elif s.get("kunci_status") == "sah":
            text.append("  berkunci", "dim")
    if snapshot.get("konflik"):
        text.append(f"\n  ⚠ {snapshot['konflik']} konflik penggabungan", "bold red")
        text.append(" — selesaikan di Wawancara (k) sebelum tanda tangan dan finalisasi", "red")
    return text
