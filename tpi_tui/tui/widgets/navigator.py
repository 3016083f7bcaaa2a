"""The cockpit's navigator: areas, sub-areas and items of the LKE as a tree, in LKE order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from ...core.rules.answers import format_value
from ..format import TEMUAN_MARK, is_answered, item_mark
from ..textual_private import GuardedPump

if TYPE_CHECKING:
    from ...core.rules.answers import AnswerDoc

HASIL = "HASIL"


def area_groups(inst) -> list[tuple[str, str, list[tuple[str, str, list[int]]]]]:
    """(kode, title, [(sub kode, title, item ids)]) in LKE order, Hasil last."""
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
        out.append((HASIL, "Hasil", [(HASIL, "Hasil (survei dan capaian kinerja)", [i.id for i in hasil])]))
    return out


class Navigator(GuardedPump, Tree):
    """Areas → sub-areas → items; each item row shows its mark, number, TPI answer and question.

    Attributes down: ``load``, ``refresh_item``, ``reveal``. Messages up: ``ItemChosen``.
    ``order`` is the items in the order the navigator shows them (what ]/[ follow).
    """

    @dataclass
    class ItemChosen(Message):
        """The assessor moved the cursor to (or selected) an item row."""

        navigator: Navigator
        item_id: int

        @property
        def control(self) -> Navigator:
            return self.navigator

    def __init__(self, inst, answers: dict[str, AnswerDoc], *, id: str | None = None) -> None:
        super().__init__("LKE", id=id)
        self.inst = inst
        self.answers = answers  # the screen's answers dict, shared (read only here)
        self.show_root = False
        self.guide_depth = 1  # two characters of guides for an item row: its text gets the room
        self.order: list[int] = []
        self.item_nodes: dict[int, TreeNode] = {}
        self.area_nodes: dict[str, TreeNode] = {}
        self.area_items: dict[str, list[int]] = {}
        self.area_titles: dict[str, str] = {}
        self.current: int | None = None

    def build(self) -> None:
        """Add every area, sub-area and item row (once, when the screen mounts)."""
        for kode, title, subs in area_groups(self.inst):
            anode = self.root.add(title, data=("area", kode), expand=False)
            self.area_nodes[kode] = anode
            self.area_titles[kode] = title
            self.area_items[kode] = []
            for sub_kode, sub_title, items in subs:
                snode = anode.add(sub_title, data=("sub", sub_kode), expand=True) if kode != HASIL else anode
                for item_id in items:
                    self.item_nodes[item_id] = snode.add_leaf(self.item_label(item_id), data=("item", item_id))
                    self.area_items[kode].append(item_id)
                    self.order.append(item_id)
        for kode in self.area_nodes:
            self.update_area_label(kode)

    def item_label(self, item_id: int) -> Text:
        answer = self.answers.get(str(item_id), {})
        item = self.inst.items[item_id]
        mark = item_mark(answer)
        style = "bold" if mark == TEMUAN_MARK else ""
        value = answer.get("jawaban_tpi")
        # a choice answer as its key letter (Y/T/A-E): the row keeps ~20 characters of text at 80 columns
        short = ("—" if value is None else str(value)[0]) if item.is_choice else format_value(item, value)
        return Text.assemble(
            (f"{mark}", style),
            (f"{item_id:>3} ", "dim"),
            (f"{short} ", "bold"),
            item.pertanyaan[:80],
            no_wrap=True,
            overflow="ellipsis",
        )

    def update_area_label(self, kode: str) -> None:
        items = self.area_items[kode]
        done = sum(1 for i in items if is_answered(self.answers.get(str(i), {})))
        # the count first: a narrow tree cuts the end of the row, and "10/1" would read as a fraction
        self.area_nodes[kode].set_label(
            Text.assemble(
                (f"{done:>3}/{len(items)} ", "dim"), self.area_titles[kode], no_wrap=True, overflow="ellipsis"
            )
        )

    def refresh_item(self, item_id: int) -> None:
        """Redraw an item's row and its area's count after its answer changed."""
        self.item_nodes[item_id].set_label(self.item_label(item_id))
        area = self.inst.items[item_id].area
        self.update_area_label(area if area in self.area_nodes else HASIL)

    def reveal(self, item_id: int) -> None:
        """Expand the item's parents and move the cursor onto it (after the next refresh)."""
        self.current = item_id
        node = self.item_nodes.get(item_id)
        if node is None:
            return
        parent = node.parent
        while parent is not None:
            if not parent.is_expanded:  # expanding re-lays out the whole tree
                parent.expand()
            parent = parent.parent
        self.call_after_refresh(self.move_cursor, node)

    def _chosen(self, node: TreeNode, again: bool) -> None:
        data = node.data
        if data and data[0] == "item" and (again or data[1] != self.current):
            self.current = data[1]
            self.post_message(self.ItemChosen(self, data[1]))

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted) -> None:
        event.stop()
        self._chosen(event.node, again=False)

    @on(Tree.NodeSelected)
    def _selected(self, event: Tree.NodeSelected) -> None:
        event.stop()
        self._chosen(event.node, again=True)
