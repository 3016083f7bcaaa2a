"""Ringkasan: scores per area, Hasil, verdicts, and lists that jump back to their item."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from ...core.answers import format_value
from ...core.scoring import THRESHOLDS, fmt


class SummaryScreen(Screen):
    BINDINGS = [
        Binding("escape", "back", "Kembali", id="ringkasan.kembali"),
        Binding("ctrl+b", "minutes", "Berita Acara", id="ringkasan.berita-acara"),
    ]

    def __init__(self, store, evaluation, answers: dict) -> None:
        super().__init__()
        self.store = store
        self.ev = evaluation
        self.answers = answers
        self.inst = store.instrument

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="summary"):
            yield Static("", id="totals")
            yield DataTable(id="areas", cursor_type="row", zebra_stripes=True)
            yield Static("", id="hasil")
            yield Static("", id="verdicts")
            yield Label("Daftar (Enter membuka butir):", classes="field-label")
            yield OptionList(id="entries")
        yield Footer()

    def on_mount(self) -> None:
        ev, inst = self.ev, self.inst
        tpi, unit = ev.tpi, ev.unit
        target = self.store.meta.get("target", "WBK")
        minimum = THRESHOLDS.get(target, THRESHOLDS["WBK"])["area_persen"]
        self.query_one("#totals", Static).update(Text.assemble(
            ("Ringkasan penilaian", "bold"), f"  ·  target {target}\n",
            f"Total TPI {fmt(tpi.total)} (unit {fmt(unit.total)}) · pengungkit {fmt(tpi.pengungkit)} · "
            f"hasil {fmt(tpi.hasil)}" + (f" · sementara: {len(tpi.unanswered)} butir belum dijawab"
                                         if tpi.unanswered else "")))
        table = self.query_one("#areas", DataTable)
        table.add_columns("Area", "Bobot", "Unit", "TPI", "%", f"Min {fmt(minimum, 0)}%")
        units = {a.kode: a for a in unit.areas}
        for a in tpi.areas:
            met = "ya" if a.persen >= minimum else "tidak"
            table.add_row(a.nama, fmt(a.bobot), fmt(units[a.kode].nilai), fmt(a.nilai), fmt(a.persen), met,
                          key=a.kode)
        self.query_one("#hasil", Static).update(Text.assemble(
            ("Hasil: ", "bold"),
            f"IPAK {fmt(tpi.ipak_survei) if tpi.ipak_survei is not None else '—'} → {fmt(tpi.ipak)} · "
            f"Capaian kinerja {tpi.kinerja_opsi or '—'} → {fmt(tpi.kinerja)} · "
            f"IPKP {fmt(tpi.ipkp_survei) if tpi.ipkp_survei is not None else '—'} → {fmt(tpi.ipkp)}"))
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
        self.query_one("#entries").focus()

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
        diffs = [i for i in inst.order if _differs(self.answers.get(str(i), {}))]
        ol.add_option(Option(Text(f"Perbedaan TPI dan unit ({len(diffs)})", style="bold"), disabled=True))
        for item_id in diffs:
            a, item = self.answers[str(item_id)], inst.items[item_id]
            alasan = (a.get("alasan") or "").strip() or "ALASAN BELUM DIISI"
            ol.add_option(Option(
                f"  {item_id:>3} unit {format_value(item, a.get('jawaban_unit'))} → TPI "
                f"{format_value(item, a.get('jawaban_tpi'))}: {alasan[:70]}", id=f"d{item_id}"))
        temuan = [i for i in inst.order if (self.answers.get(str(i), {}).get("temuan") or "").strip()]
        ol.add_option(Option(Text(f"Temuan dan rekomendasi ({len(temuan)})", style="bold"), disabled=True))
        for item_id in temuan:
            a = self.answers[str(item_id)]
            rek = (a.get("rekomendasi") or "").strip() or "rekomendasi belum diisi"
            ol.add_option(Option(f"  {item_id:>3} {a['temuan'][:80]}\n      → {rek[:80]}", id=f"t{item_id}"))

    @on(OptionList.OptionSelected, "#entries")
    def _jump(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(int(event.option.id[1:]))

    def action_back(self) -> None:
        self.dismiss(None)

    def action_minutes(self) -> None:
        from .minutes import MinutesScreen

        self.app.push_screen(MinutesScreen(self.store, owns_store=False))


def _differs(answer: dict) -> bool:
    tpi, unit = answer.get("jawaban_tpi"), answer.get("jawaban_unit")
    return tpi is not None and unit is not None and tpi != unit
