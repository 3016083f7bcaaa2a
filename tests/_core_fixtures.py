"""Answer sets shared by the core tests (plain functions, no pytest magic)."""

from __future__ import annotations

from tpi_tui.core.rules.instrument import load_instrument

# Jumlah inputs that give every computed percentage 100% (disiplin: 4 last year, 0 now).
BEST_JUMLAH = {
    88: 10,
    89: 10,
    90: 10,
    91: 10,
    102: 4,
    103: 0,
    104: 4,
    105: 8,
    106: 8,
    110: 20,
    111: 0,
    112: 20,
    113: 1,
    114: 2,
    115: 0,
    116: 3,
    117: 3,
    118: 6,
    119: 40,
    120: 49,
    122: 10,
    123: 10,
}
# Jumlah inputs that give every computed percentage 0% (no division by zero involved).
WORST_JUMLAH = {
    88: 10,
    89: 0,
    90: 10,
    91: 0,
    102: 2,
    103: 5,
    104: 0,
    105: 8,
    106: 0,
    110: 20,
    111: 5,
    112: 0,
    113: 1,
    114: 2,
    115: 0,
    116: 0,
    117: 3,
    118: 6,
    119: 40,
    120: 0,
    122: 10,
    123: 0,
}


def answers(best: bool, side: str = "jawaban_tpi", survey: float | None = None) -> dict[int, dict]:
    inst = load_instrument()
    out = {}
    for item in inst.items.values():
        if item.is_choice:
            value = item.keys[0] if best else item.keys[-1]
        elif item.jenis == "jumlah":
            value = (BEST_JUMLAH if best else WORST_JUMLAH)[item.id]
        else:
            value = survey if survey is not None else (4 if best else 0)
        out[item.id] = {side: value}
    return out


# Every prerequisite (syarat usulan, core/rules/syarat.py) recorded and met: tests of the score
# thresholds and of what follows a passing verdict start from here.
SYARAT_OK = {
    k: {"nilai": "AA" if k == "sakip" else 100.0, "bukti": "uji"} for k in ("tlhp", "sakip", "lhkpn", "lhkasn")
}


def ready_for_usulan(ws, tahun: int = 2025, opds: tuple[str, ...] = (), pencanangan: str = "2023-01-10") -> None:
    """Record what the usulan gate needs besides the session: the instansi's Tabel 5 syarat of
    ``tahun`` (all met) and the pencanangan date of each OPD in ``opds`` (>= 1 year before)."""
    from tpi_tui.core.cycle import usulan

    text = ws.config_path.read_text(encoding="utf-8")
    for opd in opds:
        text += f'\n[[opd]]\nnama = "{opd}"\npencanangan = "{pencanangan}"\n'
    ws.config_path.write_text(text, encoding="utf-8")
    ws._config = None
    for kunci, nilai in (("opini-bpk", "WTP"), ("sakip-instansi", "BB"), ("indeks-rb", "B"), ("spip", "3")):
        usulan.set_syarat_instansi(ws, tahun, kunci, nilai, "uji", actor="uji")
