"""Wawancara: the cockpit. Navigator left, the item right, live score and autosave on top."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Label, OptionList, SelectionList, Static, TextArea, Tree
from textual.widgets.option_list import Option

from ...core.answers import DD_LABEL, DD_STATUS, STATE_LABEL, format_value
from ...core.errors import TpiError
from ...core.scoring import fmt
from .. import clock
from ..guard import Guarded
from ..saver import Saver

TEXT_FIELDS = ("catatan_tpi", "alasan", "temuan", "rekomendasi")
MARK = {"belum": "○", "ditanyakan": "◐", "dijawab": "●", "diverifikasi": "✔"}
TEMUAN_MARK = "⚑"
DD_CYCLE = (None, *DD_STATUS)
TEXT_DEBOUNCE = 0.6  # s: a pause in typing this long saves the text (and leaving the field does)


def item_mark(answer: dict) -> str:
    if (answer.get("temuan") or "").strip():
        return TEMUAN_MARK
    return MARK.get(answer.get("state", "belum"), "○")


def is_answered(answer: dict) -> bool:
    return answer.get("jawaban_tpi") is not None


class ItemCommands(Provider):
    """Command palette: jump to an item by its number or by words of its question."""

    def _items(self):
        screen = self.screen
        inst = screen.inst
        for item_id in inst.order:
            item = inst.items[item_id]
            yield item_id, f"{item_id}. {item.pertanyaan}"

    async def discover(self) -> Hits:
        screen = self.screen
        yield DiscoveryHit("Butir berikutnya yang belum dijawab", screen.action_next_unanswered,
                           help="Lompat ke butir belum dijawab")
        yield DiscoveryHit("Ringkasan penilaian", screen.action_summary, help="Nilai per area dan predikat")
        yield DiscoveryHit("Panduan narasumber", screen.action_panduan, help="Pertanyaan per narasumber")

    async def search(self, query: str) -> Hits:
        screen = self.screen
        q = query.strip()
        matcher = self.matcher(query)
        found = screen.inst.search(q) if q else []
        for item in found[:40]:
            text = f"{item.id}. {item.pertanyaan}"
            yield Hit(1.0 if q.isdigit() else 0.8, matcher.highlight(text), partial(screen.show_item, item.id),
                      help=f"{item.sub_area} · {item.label}")


class InterviewScreen(Guarded, Screen):
    COMMANDS = Screen.COMMANDS | {ItemCommands}
    BINDINGS = [
        *[Binding(k, f"answer('tpi', '{k}')", f"TPI {k.upper()}", id=f"wawancara.tpi-{k}", show=False)
          for k in ("y", "t", "a", "b", "c", "d", "e")],
        *[Binding(k.upper(), f"answer('unit', '{k}')", f"Unit {k.upper()}", id=f"wawancara.unit-{k}", show=False)
          for k in ("y", "t", "a", "b", "c", "d", "e")],
        Binding("n", "next_unanswered", "Belum dijawab", id="wawancara.belum-dijawab"),
        Binding("]", "step(1)", "Berikut", id="wawancara.berikut"),
        Binding("[", "step(-1)", "Sebelum", id="wawancara.sebelum"),
        Binding("s", "cycle_state", "Status", id="wawancara.status"),
        Binding("p", "panduan", "Panduan", id="wawancara.panduan"),
        Binding("r", "summary", "Ringkasan", id="wawancara.ringkasan"),
        Binding("h", "history", "Riwayat", id="wawancara.riwayat"),
        Binding("ctrl+b", "minutes", "Berita Acara", id="wawancara.berita-acara", show=False),
        Binding("f1", "help", "Bantuan", id="wawancara.bantuan"),
        Binding("escape", "back", "Kembali", id="wawancara.kembali"),
        Binding("space", "dd_cycle", "Ganti status dokumen", id="wawancara.data-dukung", show=False),
        Binding("ctrl+s", "flush", "Simpan", id="wawancara.simpan", show=False),
    ]

    def __init__(self, store, area_reading: str = "keduanya") -> None:
        super().__init__()
        self.store = store
        self.inst = store.instrument
        self.area_reading = area_reading  # workspace penilaian.ambang_per_area
        self.current: int = self.inst.order[0]
        self.pending: dict[tuple[int, str], object] = {}
        self._text_timers: dict[str, Timer] = {}
        self.evaluation = store.evaluate(area_reading)
        self.answers: dict[str, dict] = {k: dict(v) for k, v in store.answers.items()}
        self.started = clock.monotonic()
        self.saved_at = ""
        self.nodes: dict[int, object] = {}
        self.area_nodes: dict[str, object] = {}
        self._loading = False
        self.saver = Saver(store, self._saved_from_thread, self._error_from_thread, area_reading=area_reading)
        self._locked_final: bool | None = None
        self._closing = False  # unmounting: the widgets are gone, saves still go to the writer

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        meta = self.store.meta
        if self.store.readonly:
            yield Static("HANYA-BACA — sesi ini sedang dibuka untuk penulisan oleh jendela/proses lain. "
                         "Perubahan tidak akan disimpan.", id="readonly-banner")
        yield Static("FINAL — buka kembali dengan alasan untuk mengubah (Ringkasan: r, lalu o).", id="final-banner")
        yield Static("", id="scorebar")
        with Horizontal(id="cockpit"):
            yield Tree("LKE", id="nav")
            with VerticalScroll(id="item-pane"):
                yield Static("", id="item-head")
                yield Static("", id="item-question")
                yield Static("", id="item-options")
                yield Static("", id="item-answer")
                with Horizontal(id="values"):
                    with Vertical():
                        yield Label("Nilai unit", classes="field-label")
                        yield Input(id="val-unit", placeholder="isian unit")
                    with Vertical():
                        yield Label("Nilai TPI", classes="field-label")
                        yield Input(id="val-tpi", placeholder="isian TPI")
                yield Static("", id="persen")
                with Vertical(id="alasan-box"):
                    yield Label("Alasan perbedaan (wajib: jawaban TPI berbeda dari unit)", classes="field-label")
                    yield TextArea(id="alasan", classes="text-field")
                yield Label("Catatan TPI", classes="field-label")
                yield TextArea(id="catatan_tpi", classes="text-field")
                yield Label("Data dukung (Spasi: ganti status · referensi di bawah)", classes="field-label")
                yield OptionList(id="dd")
                yield Input(id="dd-ref", placeholder="Referensi dokumen terpilih (nomor, tautan, lokasi)…")
                yield Label("Narasumber yang memberi keterangan", classes="field-label")
                yield SelectionList(*[(f"{p['nama']} — {p.get('jabatan', '')}", p["id"])
                                      for p in meta.get("narasumber", [])], id="nara")
                yield Label("Temuan", classes="field-label")
                yield TextArea(id="temuan", classes="text-field")
                yield Label("Rekomendasi", classes="field-label")
                yield TextArea(id="rekomendasi", classes="text-field")
        yield Footer()

    def on_mount(self) -> None:
        meta = self.store.meta
        self.app.sub_title = f"{meta['opd']['nama']} · {meta.get('tanggal', '')}"
        self.build_tree()
        self.query_one("#item-pane").can_focus = False  # Tab goes from the navigator straight to the fields
        self._app_ref = self.app  # the writer may report after this screen is gone
        self.run_worker(self.saver.run, thread=True, group="simpan", name="simpan", exit_on_error=False)
        self.set_interval(1.0, self.refresh_bar)
        first = next((i for i in self.inst.order if not is_answered(self.answers.get(str(i), {}))), self.current)
        self.show_item(first)
        self.query_one("#nav", Tree).focus()

    def on_unmount(self) -> None:
        self._closing = True
        self.flush_pending()  # text typed just before leaving is still saved (the writer outlives us)
        self.saver.stop()

    # -- navigator -----------------------------------------------------------------------------
    def area_groups(self):
        """(kode, title, [(sub kode, title, item ids)]) in LKE order, Hasil last."""
        inst = self.inst
        out = []
        for area in sorted(inst.areas.values(), key=lambda a: a.nomor):
            subs = []
            for kode in area.sub_areas:
                sub = inst.sub_areas[kode]
                bag = "P" if sub.bagian == "pemenuhan" else "R"
                subs.append((kode, f"{bag} {sub.nomor}. {sub.nama}", list(sub.items)))
            out.append((area.kode, f"{area.nomor}. {area.nama}", subs))
        hasil = inst.hasil_items()
        if hasil:
            out.append(("HASIL", "Hasil", [("HASIL", "Hasil (survei dan capaian kinerja)", [i.id for i in hasil])]))
        return out

    def build_tree(self) -> None:
        tree = self.query_one("#nav", Tree)
        tree.show_root = False
        tree.guide_depth = 2
        self._area_items: dict[str, list[int]] = {}
        for kode, title, subs in self.area_groups():
            anode = tree.root.add(title, data=("area", kode), expand=False)
            self.area_nodes[kode] = anode
            self._area_items[kode] = []
            for sub_kode, sub_title, items in subs:
                snode = anode.add(sub_title, data=("sub", sub_kode), expand=True) if kode != "HASIL" else anode
                for item_id in items:
                    self.nodes[item_id] = snode.add_leaf(self.item_label(item_id), data=("item", item_id))
                    self._area_items[kode].append(item_id)
            self._area_titles = getattr(self, "_area_titles", {})
            self._area_titles[kode] = title
        for kode in self.area_nodes:
            self.update_area_label(kode)

    def item_label(self, item_id: int) -> Text:
        answer = self.answers.get(str(item_id), {})
        item = self.inst.items[item_id]
        mark = item_mark(answer)
        style = "bold" if mark == TEMUAN_MARK else ""
        value = format_value(item, answer.get("jawaban_tpi"))
        return Text.assemble((f"{mark} ", style), (f"{item_id:>3} ", "dim"), (f"{value:<5} ", "bold"),
                             item.pertanyaan[:70])

    def update_area_label(self, kode: str) -> None:
        items = self._area_items[kode]
        done = sum(1 for i in items if is_answered(self.answers.get(str(i), {})))
        self.area_nodes[kode].set_label(Text.assemble(self._area_titles[kode], (f"  {done}/{len(items)}", "dim")))

    def refresh_item_node(self, item_id: int) -> None:
        self.nodes[item_id].set_label(self.item_label(item_id))
        self.update_area_label(self.inst.items[item_id].area if self.inst.items[item_id].area in self.area_nodes
                               else "HASIL")

    @on(Tree.NodeHighlighted, "#nav")
    def _nav_highlighted(self, event: Tree.NodeHighlighted) -> None:
        data = event.node.data
        if data and data[0] == "item" and data[1] != self.current:
            self.show_item(data[1], from_tree=True)

    @on(Tree.NodeSelected, "#nav")
    def _nav_selected(self, event: Tree.NodeSelected) -> None:
        data = event.node.data
        if data and data[0] == "item":
            self.show_item(data[1], from_tree=True)

    # -- showing an item -----------------------------------------------------------------------
    def show_item(self, item_id: int, from_tree: bool = False) -> None:
        # One repaint for the whole item (a profile showed ~3 refreshes per step without it).
        with self.app.batch_update():
            self._show_item(item_id, from_tree)

    def _show_item(self, item_id: int, from_tree: bool) -> None:
        self.flush_pending()
        self.current = item_id
        item = self.inst.items[item_id]
        answer = self.answers.get(str(item_id), {})
        self._loading = True
        sub = self.inst.sub_areas.get(item.sub_area)
        where = f"{item.area} · {sub.kode} {sub.nama}" if sub else "Hasil"
        self.query_one("#item-head", Static).update(
            Text.assemble((f"Butir {item_id}", "bold"), f"  ·  {where}  ·  {item.label}"))
        self.query_one("#item-question", Static).update(Text(item.pertanyaan, style="bold"))
        choice = item.is_choice
        self.query_one("#item-options").display = choice
        self.query_one("#values").display = not choice
        self.query_one("#persen").display = item.jenis == "jumlah"
        if choice:
            self.render_options(item, answer)
        else:
            self.query_one("#val-unit", Input).value = _plain(item, answer.get("jawaban_unit"))
            self.query_one("#val-tpi", Input).value = _plain(item, answer.get("jawaban_tpi"))
            self.update_persen()
        self.render_answer(item, answer)
        for field in TEXT_FIELDS:
            area = self.query_one(f"#{field}", TextArea)
            area.load_text(answer.get(field, "") or "")
        self.update_alasan_box(answer)
        self.fill_dd(item, answer)
        nara = self.query_one("#nara", SelectionList)
        chosen = set(answer.get("narasumber", []))
        nara.deselect_all()
        for value in chosen:
            try:
                nara.select(value)
            except Exception:  # a narasumber removed from the session meta
                pass
        self._loading = False
        if not from_tree and item_id in self.nodes:
            tree = self.query_one("#nav", Tree)
            node = self.nodes[item_id]
            parent = node.parent
            while parent is not None:
                if not parent.is_expanded:  # expanding re-lays out the whole tree
                    parent.expand()
                parent = parent.parent
            self.call_after_refresh(tree.move_cursor, node)
        self.query_one("#item-pane").scroll_home(animate=False)
        self.refresh_bar()

    def render_options(self, item, answer: dict) -> None:
        tpi, unit = answer.get("jawaban_tpi"), answer.get("jawaban_unit")
        text = Text()
        for key, criterion in item.opsi.items() if item.opsi else ((k, "") for k in item.keys):
            hot = key[0].lower()
            marks = ("U" if key == unit else " ") + ("T" if key == tpi else " ")
            style = "reverse" if key == tpi else ""
            text.append(f"{marks} ", "bold")
            text.append(f"[{hot}] {key}", style or "bold")
            if criterion:
                text.append(f"  {criterion}")
            text.append("\n")
        text.rstrip()  # in place
        if not item.opsi and item.kriteria:
            text.append("\n" + item.kriteria, "dim")
        self.query_one("#item-options", Static).update(text)

    def render_answer(self, item, answer: dict) -> None:
        state = STATE_LABEL.get(answer.get("state", "belum"), "Belum")
        keys = "/".join(k[0].lower() for k in item.keys) if item.is_choice else ""
        hint = f"  (TPI: {keys} · Unit: Shift+{keys.upper()})" if keys else ""
        self.query_one("#item-answer", Static).update(Text.assemble(
            "Unit: ", (format_value(item, answer.get("jawaban_unit")), "bold"),
            "   TPI: ", (format_value(item, answer.get("jawaban_tpi")), "bold reverse"),
            f"   Status: {state}", (hint, "dim")))

    def update_alasan_box(self, answer: dict) -> None:
        differs = _differs(answer)
        self.query_one("#alasan-box").display = differs or bool((answer.get("alasan") or "").strip())
        self.query_one("#alasan-box").set_class(differs and not (answer.get("alasan") or "").strip(), "wajib")

    def update_persen(self) -> None:
        item = self.inst.items[self.current]
        if item.jenis != "jumlah" or not item.persentase:
            return
        sub = self.inst.sub_areas[item.sub_area]
        pct = next(p for p in sub.persentase if p.kode == item.persentase)
        values = {}
        for i in pct.inputs:
            values[i] = self.answers.get(str(i), {}).get("jawaban_tpi")
        try:
            from ...core.answers import parse_value

            values[item.id] = parse_value(item, self.query_one("#val-tpi", Input).value)
        except TpiError:
            pass
        parts = " · ".join(f"{i}: {'—' if values.get(i) is None else values[i]}" for i in pct.inputs)
        value, note = pct.compute(values)
        shown = "belum lengkap" if value is None else f"{fmt(value * 100)}%"
        self.query_one("#persen", Static).update(Text.assemble(
            (f"{pct.nama}", "bold"), f"\n{parts}  →  ", (shown, "bold"), f"  ({note})" if note else ""))

    # -- data dukung ---------------------------------------------------------------------------
    def dd_entries(self, item, answer: dict) -> list[dict]:
        saved = {d["dokumen"]: d for d in answer.get("data_dukung", [])}
        docs = list(item.data_dukung) + [d for d in saved if d not in item.data_dukung]
        return [saved.get(doc, {"dokumen": doc, "status": None, "referensi": ""}) for doc in docs]

    def fill_dd(self, item, answer: dict) -> None:
        self._dd = self.dd_entries(item, answer)
        dd = self.query_one("#dd", OptionList)
        highlighted = dd.highlighted
        dd.clear_options()
        for n, entry in enumerate(self._dd):
            label = DD_LABEL.get(entry["status"], "—")
            ref = f" [{entry['referensi']}]" if entry.get("referensi") else ""
            dd.add_option(Option(Text.assemble((f"{label:<12} ", "bold"), entry["dokumen"], (ref, "dim")), id=str(n)))
        if not self._dd:
            dd.add_option(Option("Tidak ada data dukung yang diharapkan untuk butir ini.", disabled=True))
        if self._dd:
            dd.highlighted = highlighted if highlighted is not None and highlighted < len(self._dd) else 0
        self._sync_dd_ref()

    def _sync_dd_ref(self) -> None:
        dd = self.query_one("#dd", OptionList)
        ref = self.query_one("#dd-ref", Input)
        n = dd.highlighted
        ref.value = self._dd[n].get("referensi", "") if n is not None and n < len(self._dd) else ""

    @on(OptionList.OptionHighlighted, "#dd")
    def _dd_highlighted(self) -> None:
        self._sync_dd_ref()

    def action_dd_cycle(self) -> None:
        dd = self.query_one("#dd", OptionList)
        if self.focused is dd and dd.highlighted is not None:
            self.cycle_dd(dd.highlighted)

    @on(OptionList.OptionSelected, "#dd")
    def _dd_selected(self, event: OptionList.OptionSelected) -> None:
        self.cycle_dd(event.option_index)

    def cycle_dd(self, n: int) -> None:
        if n >= len(self._dd):
            return
        entry = self._dd[n]
        entry["status"] = DD_CYCLE[(DD_CYCLE.index(entry["status"]) + 1) % len(DD_CYCLE)]
        self.save_dd()

    def save_dd(self) -> None:
        value = [dict(e) for e in self._dd if e["status"]]
        self.save(self.current, {"data_dukung": value})
        item = self.inst.items[self.current]
        self.fill_dd(item, {**self.answers.get(str(self.current), {}), "data_dukung": value})

    @on(Input.Submitted, "#dd-ref")
    def _dd_ref_submitted(self) -> None:
        self.commit_dd_ref()

    @on(Input.Blurred, "#dd-ref")
    def _dd_ref_blurred(self) -> None:
        self.commit_dd_ref()

    def commit_dd_ref(self) -> None:
        n = self.query_one("#dd", OptionList).highlighted
        if n is None or n >= len(self._dd):
            return
        text = self.query_one("#dd-ref", Input).value
        entry = self._dd[n]
        if entry.get("referensi", "") == text:
            return
        entry["referensi"] = text
        if not entry["status"]:
            entry["status"] = "sesuai"  # a document with a reference was seen
        self.save_dd()

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
        fields: dict[str, object] = {field: key}
        answer = self.answers.get(str(item.id), {})
        if side == "tpi" and answer.get("state", "belum") in ("belum", "ditanyakan"):
            fields["state"] = "dijawab"
        self.save(item.id, fields)

    @on(Input.Submitted, "#val-unit, #val-tpi")
    def _value_submitted(self, event: Input.Submitted) -> None:
        self.commit_value(event.input)

    @on(Input.Blurred, "#val-unit, #val-tpi")
    def _value_blurred(self, event: Input.Blurred) -> None:
        self.commit_value(event.input)

    @on(Input.Changed, "#val-tpi")
    def _value_changed(self) -> None:
        self.update_persen()

    def commit_value(self, widget: Input) -> None:
        item = self.inst.items[self.current]
        if item.is_choice:
            return
        field = "jawaban_tpi" if widget.id == "val-tpi" else "jawaban_unit"
        answer = self.answers.get(str(item.id), {})
        if _plain(item, answer.get(field)) == widget.value.strip():
            return
        fields: dict[str, object] = {field: widget.value}
        if field == "jawaban_tpi" and answer.get("state", "belum") in ("belum", "ditanyakan"):
            fields["state"] = "dijawab"
        self.save(item.id, fields)

    def action_cycle_state(self) -> None:
        answer = self.answers.get(str(self.current), {})
        order = list(STATE_LABEL)
        state = order[(order.index(answer.get("state", "belum")) + 1) % len(order)]
        self.save(self.current, {"state": state})

    @on(SelectionList.SelectedChanged, "#nara")
    def _nara_changed(self, event: SelectionList.SelectedChanged) -> None:
        if self._loading:
            return
        chosen = sorted(event.selection_list.selected)
        if chosen != sorted(self.answers.get(str(self.current), {}).get("narasumber", [])):
            self.save(self.current, {"narasumber": chosen})

    # -- text fields: debounce and save on leaving ---------------------------------------------
    @on(TextArea.Changed)
    def _text_changed(self, event: TextArea.Changed) -> None:
        field = event.text_area.id
        if field not in TEXT_FIELDS:
            return
        text = event.text_area.text
        if text == (self.answers.get(str(self.current), {}).get(field) or ""):
            self.pending.pop((self.current, field), None)
            return
        self.pending[(self.current, field)] = text
        timer = self._text_timers.get(field)
        if timer is not None:
            timer.stop()
        self._text_timers[field] = self.set_timer(TEXT_DEBOUNCE, self.flush_pending)

    def on_descendant_blur(self, event) -> None:
        if isinstance(event.widget, TextArea):
            self.flush_pending()

    def flush_pending(self) -> None:
        if not self.pending:
            return
        by_item: dict[int, dict] = {}
        for (item_id, field), text in self.pending.items():
            by_item.setdefault(item_id, {})[field] = text
        self.pending.clear()
        for item_id, fields in by_item.items():
            self.save(item_id, fields)

    def action_flush(self) -> None:
        self.flush_pending()

    # -- saving (the worker does the disk write) -----------------------------------------------
    @property
    def final(self) -> bool:
        return self.saver.status == "final"

    def apply_final(self) -> None:
        """Show the FINAL banner and make the text fields read-only while the session is final."""
        final = self.final
        if final == self._locked_final:
            return
        self._locked_final = final
        self.query_one("#final-banner").display = final
        for field in TEXT_FIELDS:
            self.query_one(f"#{field}", TextArea).read_only = final or self.store.readonly

    def on_screen_resume(self) -> None:
        self.refresh_bar()

    def save(self, item_id: int, fields: dict) -> None:
        if self.store.readonly:
            self.notify("Sesi dibuka hanya-baca; perubahan tidak disimpan.", severity="warning")
            return
        if self.final:
            self.notify("Sesi sudah final dan terkunci. Buka kembali dengan alasan (Ringkasan, o) untuk mengubah.",
                        title="Sesi final", severity="warning")
            return
        # Show at once what was asked; the worker confirms (or reports an error) right after.
        self.saving = True
        self.saver.put(item_id, fields)
        if not self._closing:
            self.refresh_bar()

    def _saved_from_thread(self, item_id, changed, evaluation) -> None:
        if not self._closing:  # after unmount there is no screen to update (and no active app)
            self.app.call_from_thread(self._saved, item_id, changed, evaluation)

    def _error_from_thread(self, item_id, fields, message) -> None:
        if not self._closing:
            self.app.call_from_thread(self._save_failed, item_id, fields, message)
        else:  # the screen is gone: the app may still be there to say so
            self._app_ref.call_from_thread(self._app_ref.notify, message, title="Gagal menyimpan",
                                           severity="error", timeout=8)

    def _saved(self, item_id: int | None, changed: dict, evaluation) -> None:
        self.evaluation = evaluation
        self.saved_at = clock.stamp()
        if item_id is not None and changed:
            answer = self.answers.setdefault(str(item_id), {})
            answer.update(changed)
            self.refresh_item_node(item_id)
            if item_id == self.current:
                item = self.inst.items[item_id]
                if item.is_choice:
                    self.render_options(item, answer)
                self.render_answer(item, answer)
                self.update_alasan_box(answer)
                if "jawaban_tpi" in changed or "jawaban_unit" in changed:
                    if _differs(answer) and not (answer.get("alasan") or "").strip():
                        self.notify("Jawaban TPI berbeda dari jawaban unit: isi alasan perbedaannya.",
                                    title="Alasan diperlukan", severity="warning")
                if item.jenis == "jumlah":
                    self.update_persen()
        self.refresh_bar()

    def _save_failed(self, item_id, fields, message: str) -> None:
        # The typed text stays in its widget; only the stored copy is unchanged.
        self.notify(message, title="Gagal menyimpan", severity="error", timeout=8)
        self.refresh_bar()

    # -- the score bar -------------------------------------------------------------------------
    def refresh_bar(self) -> None:
        self.apply_final()
        ev = self.evaluation
        item = self.inst.items[self.current]
        tpi, unit = ev.tpi, ev.unit
        parts = []
        sub_t, sub_u = tpi.sub_areas.get(item.sub_area), unit.sub_areas.get(item.sub_area)
        if sub_t is not None:
            parts.append(f"Sub-area {fmt(sub_t.nilai)}/{fmt(sub_t.bobot)} (unit {fmt(sub_u.nilai)})")
        area_t = next((a for a in tpi.areas if a.kode == item.area), None)
        area_u = next((a for a in unit.areas if a.kode == item.area), None)
        if area_t is not None:
            parts.append(f"Area {item.area} {fmt(area_t.nilai)}/{fmt(area_t.bobot)} (unit {fmt(area_u.nilai)})")
        parts.append(f"Total TPI {fmt(tpi.total)} · unit {fmt(unit.total)}")
        elapsed = int(clock.monotonic() - self.started)
        h, rest = divmod(elapsed, 3600)
        m, s = divmod(rest, 60)
        done = len(self.inst.order) - len(tpi.unanswered)
        if self.store.readonly:
            saved = "Hanya-baca"
        elif self.final:
            saved = "Final (terkunci)"
        elif not self.saver.idle:
            saved = "Menyimpan…"
        elif self.pending:
            saved = "Belum tersimpan…"
        else:
            saved = f"Tersimpan {self.saved_at}" if self.saved_at else "Tersimpan"
        line2 = f"Butir {self.current} · {done}/{len(self.inst.order)} dijawab · Waktu {h:02d}:{m:02d}:{s:02d} · {saved}"
        self.query_one("#scorebar", Static).update(Text.assemble((" · ".join(parts), "bold"), "\n", line2))

    # -- moving around -------------------------------------------------------------------------
    def action_step(self, step: int) -> None:
        order = self.inst.order
        i = order.index(self.current)
        self.show_item(order[max(0, min(len(order) - 1, i + step))])

    def action_next_unanswered(self) -> None:
        order = self.inst.order
        i = order.index(self.current)
        for item_id in order[i + 1:] + order[: i + 1]:
            if not is_answered(self.answers.get(str(item_id), {})):
                self.show_item(item_id)
                return
        self.notify("Semua butir sudah dijawab. Tekan r untuk ringkasan.")

    def action_back(self) -> None:
        nav = self.query_one("#nav", Tree)
        if self.focused is not nav:
            nav.focus()
            return
        self.flush_pending()
        self.app.pop_screen()

    def action_panduan(self) -> None:
        from .panduan import PanduanScreen

        self.app.push_screen(PanduanScreen(self.inst, self.answers), self._jump)

    def action_summary(self) -> None:
        from .summary import SummaryScreen

        self.flush_pending()
        self.app.push_screen(SummaryScreen(self.store, self.evaluation, self.answers, saver=self.saver,
                                           area_reading=self.area_reading), self._jump)

    def action_history(self) -> None:
        """The changes of the current item, read in the writer thread (after pending saves)."""
        from ...core.history import history
        from .history import HistoryScreen

        self.flush_pending()
        item_id = self.current

        def done(events, error) -> None:
            self.app.call_from_thread(self.app.push_screen, HistoryScreen(item_id, events, error))

        self.saver.call(lambda store: history(store, item_id), done)

    def action_minutes(self) -> None:
        from .minutes import MinutesScreen

        self.flush_pending()
        self.app.push_screen(MinutesScreen(self.store, owns_store=False))

    def _jump(self, item_id: int | None) -> None:
        if item_id:
            self.show_item(item_id)
            self.query_one("#nav", Tree).focus()

    def action_help(self) -> None:
        from .help import HelpScreen

        focused = self.focused.id if self.focused is not None else None
        self.app.push_screen(HelpScreen(focused))


def _differs(answer: dict) -> bool:
    tpi, unit = answer.get("jawaban_tpi"), answer.get("jawaban_unit")
    return tpi is not None and unit is not None and tpi != unit


def _plain(item, value) -> str:
    if value is None:
        return ""
    return format_value(item, value)
