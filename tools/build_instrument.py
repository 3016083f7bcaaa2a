"""Build the project's LKE instrument file from the PortalRB master (reference data).

The master (`shared/reference/lke-zi-master-2026.json`) is read, never copied: this script
rewrites it into the project's own schema (``tpi_tui/core/data/lke-zi.json``), adding what the
master does not carry: the computed-percentage rows of the Reform areas with their formulas
(official LKE Excel, sheet ``LKE ZI`` column K), the split of each criterion text into one
text per option, the Hasil weights and the combined-area codes.

Usage: python tools/build_instrument.py [MASTER_JSON]
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MASTER = ROOT.parent / "shared" / "reference" / "lke-zi-master-2026.json"
OUT = ROOT / "tpi_tui" / "core" / "data" / "lke-zi.json"

JENIS = {
    "YA_TIDAK": "ya_tidak",
    "ABC": "abc",
    "ABCD": "abcd",
    "ABCDE": "abcde",
    "JUMLAH": "jumlah",
    "0-4": "survei",
}

AREA_CODES = {
    "MANAJEMEN PERUBAHAN": ("MP", "Manajemen Perubahan"),
    "PENATAAN TATALAKSANA": ("TL", "Penataan Tatalaksana"),
    "PENATAAN SISTEM MANAJEMEN SDM APARATUR": ("SDM", "Penataan Sistem Manajemen SDM Aparatur"),
    "PENGUATAN AKUNTABILITAS": ("AK", "Penguatan Akuntabilitas"),
    "PENGUATAN PENGAWASAN": ("PW", "Penguatan Pengawasan"),
    "PENINGKATAN KUALITAS PELAYANAN PUBLIK": ("PP", "Peningkatan Kualitas Pelayanan Publik"),
}

# Computed percentages (official LKE Excel, sheet "LKE ZI", column K). Keyed by the sub-area
# name in the master. "penyebut_nol" defines the case the Excel leaves as #DIV/0!:
#   0 -> the denominator counts what the unit itself produced (agents, changes, targets,
#        registered services): nothing to divide means nothing was achieved;
#   1 -> the denominator counts obligations (complaints to handle, officials obliged to report):
#        no obligation means none was left unmet, the same reading the Excel itself applies to
#        "pelanggaran tahun lalu = 0 dan tahun ini = 0".
PERSENTASE = {
    "i. Komitmen dalam perubahan": [
        {
            "kode": "a",
            "nama": "Agen perubahan telah membuat perubahan yang konkret di Instansi (dalam 1 tahun)",
            "rumus": "rasio",
            "pembilang": [89],
            "penyebut": [88],
            "penyebut_nol": 0,
        },
        {
            "kode": "b",
            "nama": "Perubahan yang dibuat Agen Perubahan telah terintegrasi dalam sistem manajemen",
            "rumus": "rasio",
            "pembilang": [91],
            "penyebut": [90],
            "penyebut_nol": 0,
        },
    ],
    "iii. Pelanggaran Disiplin Pegawai": [
        {
            "kode": "a",
            "nama": "Penurunan pelanggaran disiplin pegawai",
            "rumus": "penurunan",
            "sebelum": 102,
            "sesudah": 103,
            "pelengkap": [104],
            "penyebut_nol": 0,
        },
    ],
    "i. Meningkatnya capaian kinerja unit kerja": [
        {
            "kode": "a",
            "nama": "Persentase Sasaran dengan capaian 100% atau lebih",
            "rumus": "rasio",
            "pembilang": [106],
            "penyebut": [105],
            "penyebut_nol": 0,
        },
    ],
    "ii. Penanganan Pengaduan Masyarakat": [
        {
            "kode": "a",
            "nama": "Persentase penanganan pengaduan masyarakat",
            "rumus": "rasio",
            "pembilang": [112],
            "penyebut": [110],
            "pelengkap": [111],
            "penyebut_nol": 1,
        },
    ],
    "a. Penyampaian Laporan Harta Kekayaan Pejabat Negara (LHKPN)": [
        {
            "kode": "a",
            "nama": "Persentase penyampaian LHKPN",
            "rumus": "rasio",
            "pembilang": [116],
            "penyebut": [113, 114, 115],
            "penyebut_nol": 1,
        },
    ],
    "b. Penyampaian Laporan Harta Kekayaan Non LHKPN (Tidak Wajib LHKPN)": [
        {
            "kode": "a",
            "nama": "Persentase penyampaian Laporan Harta Kekayaan Non LHKPN",
            "rumus": "rasio",
            "pembilang": [120],
            "penyebut": [117, 118, 119],
            "penyebut_nol": 1,
        },
    ],
    "i. Upaya dan/atau Inovasi Pelayanan Publik": [
        {
            "kode": "b",
            "nama": "Perijinan/pelayanan telah dipermudah",
            "rumus": "rasio",
            "pembilang": [123],
            "penyebut": [122],
            "penyebut_nol": 0,
        },
    ],
}

# Official option multipliers (LKE Excel column L; A-D is 1/0.67/0.33/0 as printed, not thirds).
MULTIPLIERS = {
    "ya_tidak": {"Ya": 1, "Tidak": 0},
    "abc": {"A": 1, "B": 0.5, "C": 0},
    "abcd": {"A": 1, "B": 0.67, "C": 0.33, "D": 0},
    "abcde": {"A": 1, "B": 0.75, "C": 0.5, "D": 0.25, "E": 0},
}

HASIL = {
    125: {"singkatan": "IPAK", "bobot": 17.5},
    126: {"singkatan": "Capaian Kinerja", "bobot": 5},
    127: {"singkatan": "IPKP", "bobot": 17.5},
}


def clean(text: str) -> str:
    """Master text with its HTML line breaks turned into newlines; nothing else changed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"<br\s*/?>", "\n", text).strip()


def split_options(kriteria: str, keys: list[str]) -> dict[str, str]:
    """One criterion text per option letter ("a. ..." lines); continuation lines stay attached."""
    out: dict[str, list[str]] = {}
    current = None
    for line in kriteria.split("\n"):
        m = re.match(r"\s*([a-eA-E])\s*[\.\)]\s*(.*)", line)
        if m and m.group(1).upper() in keys and m.group(1).upper() not in out:
            current = m.group(1).upper()
            out[current] = [m.group(2).strip()]
        elif current:
            out[current].append(line.strip())
    if list(out) != keys:
        raise SystemExit(f"criteria do not split into {keys}: {kriteria[:80]!r}")
    return {k: " ".join(v).strip() for k, v in out.items()}


def item_of(soal: dict) -> dict:
    jenis = JENIS[soal["jenis_jawaban"].upper()]
    kriteria = clean(soal["kriteria_nilai"])
    item = {"id": soal["id"], "pertanyaan": clean(soal["teks_pertanyaan"]), "jenis": jenis, "kriteria": kriteria}
    if jenis in ("abc", "abcd", "abcde"):
        item["opsi"] = split_options(kriteria, [o["key"] for o in soal["skema_penilaian"]])
    elif jenis == "ya_tidak":
        item["opsi"] = {"Ya": kriteria, "Tidak": "Tidak memenuhi kriteria di atas."}
    if soal["id"] in HASIL:
        item.update(HASIL[soal["id"]])
    # The master's multipliers must agree with the answer type's table (checked here, once).
    table = MULTIPLIERS.get(jenis, {})
    given = {o["key"]: o["multiplier"] for o in soal.get("skema_penilaian") or []}
    if given != table:
        raise SystemExit(f"item {soal['id']}: multipliers {given} differ from {table}")
    item["excel_baris"] = soal.get("excel_baris")
    return item


def build(master: dict) -> dict:
    komponen_out = []
    for komp in master["data"]:
        kode_komp = komp["nama"].split(".")[0].strip()
        k_out = {
            "kode": kode_komp,
            "nama": komp["nama"].split(".", 1)[1].strip().title(),
            "bobot": komp["bobot_maksimal"],
            "sub_komponen": [],
        }
        for sk in komp["children"]:
            nama_sk = sk["nama"].split(".", 1)[1].strip()
            if kode_komp == "A":
                kode_sk = nama_sk.lower()  # pemenuhan / reform
                sk_out = {"kode": kode_sk, "nama": nama_sk.title(), "bobot": sk["bobot_maksimal"], "areas": []}
                for area in sk["children"]:
                    nama_area = area["nama"].split(".", 1)[1].strip()
                    code, title = AREA_CODES[nama_area]
                    a_out = {"kode": code, "nama": title, "bobot": area["bobot_maksimal"], "sub_areas": []}
                    for sub in area["children"]:
                        parts = sub["children"] or [sub]
                        for part in parts:
                            induk = sub["nama"] if sub["children"] else None
                            nomor = part["nama"].split(".", 1)[0].strip()
                            if induk:
                                nomor = induk.split(".", 1)[0].strip() + "." + nomor
                            s_out = {
                                "kode": f"{kode_sk[0].upper()}.{code}.{nomor}",
                                "nomor": nomor,
                                "nama": part["nama"].split(".", 1)[1].strip(),
                                "bobot": part["bobot_maksimal"],
                            }
                            if induk:
                                s_out["induk"] = induk.split(".", 1)[1].strip()
                            s_out["items"] = [item_of(s) for s in part["soals"]]
                            pers = PERSENTASE.get(part["nama"])
                            if pers:
                                s_out["persentase"] = pers
                            a_out["sub_areas"].append(s_out)
                    sk_out["areas"].append(a_out)
            else:
                kode_sk = "bersih" if "BERSIH" in nama_sk else "prima"
                nama = " ".join(w if w in ("yang", "dan") else w.capitalize() for w in nama_sk.lower().split())
                sk_out = {
                    "kode": kode_sk,
                    "nama": nama,
                    "bobot": sk["bobot_maksimal"],
                    "items": [item_of(s) for s in sk["soals"]],
                }
            k_out["sub_komponen"].append(sk_out)
        komponen_out.append(k_out)
    return {
        "id": "lke-zi-permenpanrb-90-2021",
        "versi": f"{master['tahun']}.1",
        "judul": "Lembar Kerja Evaluasi Pembangunan Zona Integritas menuju WBK/WBBM",
        "dasar": "Lampiran III Peraturan Menteri PANRB Nomor 90 Tahun 2021; Master Soal LKE ZI PortalRB Tahun "
        f"{master['tahun']}",
        "jenis_jawaban": {
            "ya_tidak": {"label": "Ya/Tidak", "opsi": MULTIPLIERS["ya_tidak"]},
            "abc": {"label": "A/B/C", "opsi": MULTIPLIERS["abc"]},
            "abcd": {"label": "A/B/C/D", "opsi": MULTIPLIERS["abcd"]},
            "abcde": {"label": "A/B/C/D/E", "opsi": MULTIPLIERS["abcde"]},
            "jumlah": {"label": "Jumlah"},
            "survei": {"label": "Nilai (0-4)", "min": 0, "max": 4},
        },
        "komponen": komponen_out,
    }


def main() -> None:
    master_path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_MASTER
    master = json.loads(master_path.read_text(encoding="utf-8"))
    out = build(master)
    OUT.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
