"""The packaged LKE instrument: structure, weights and cross-check against the master."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tpi_tui.core.errors import TpiError
from tpi_tui.core.rules.instrument import DATA_DIR, load_instrument, load_instrument_files

INST = load_instrument()
MASTER = Path(__file__).resolve().parents[2] / "shared" / "reference" / "lke-zi-master-2026.json"


def test_127_items_with_portalrb_ids_in_order():
    assert INST.order == tuple(range(1, 128))


def test_weights_add_up_as_lampiran_iii_says():
    assert INST.bobot["pengungkit"] == 60 and INST.bobot["hasil"] == 40
    assert {a.kode: a.bobot for a in INST.areas.values()} == {"MP": 8, "TL": 7, "SDM": 10, "AK": 10, "PW": 15, "PP": 10}
    assert sum(s.bobot for s in INST.sub_areas.values()) == 60


def test_every_choice_option_has_its_criterion_text():
    item = INST.items[6]
    assert item.opsi["A"].startswith("Jika semua kegiatan pembangunan")
    assert all(set(i.opsi) == set(i.multipliers) for i in INST.items.values() if i.is_choice)


def test_every_jumlah_input_feeds_a_percentage_and_every_item_has_data_dukung():
    assert all(i.persentase for i in INST.items.values() if i.jenis == "jumlah")
    assert all(i.data_dukung for i in INST.items.values())


def test_interview_roles_cover_every_item():
    covered = {i for role in INST.narasumber.values() for i in role.items}
    assert covered == set(INST.items)
    assert list(INST.narasumber)[:2] == ["pimpinan", "ketua_tim"]


def test_instrument_records_id_version_and_content_hash():
    ref = INST.ref()
    assert ref["id"] == "lke-zi-permenpanrb-90-2021" and len(ref["hash"]) == 64


def test_search_by_id_and_words():
    assert [i.id for i in INST.search("62")] == [62]
    assert [i.id for i in INST.search("Whistle")] == [61, 62, 63]
    assert [i.id for i in INST.search("role model pimpinan")] == [9]


@pytest.mark.skipif(not MASTER.exists(), reason="shared reference not beside the checkout")
def test_text_and_types_match_the_portalrb_master_verbatim():
    master = json.loads(MASTER.read_text(encoding="utf-8"))
    soals = {}

    def walk(node):
        for s in node.get("soals", []):
            soals[s["id"]] = s
        for c in node.get("children", []):
            walk(c)

    for node in master["data"]:
        walk(node)
    assert set(soals) == set(INST.items)
    for item_id, soal in soals.items():
        assert (
            INST.items[item_id].pertanyaan
            == soal["teks_pertanyaan"].replace("<br>", "\n").replace("\r\n", "\n").strip()
        )
        for opt in soal.get("skema_penilaian") or []:
            assert INST.items[item_id].multipliers[opt["key"]] == opt["multiplier"]


def test_a_broken_instrument_file_is_refused(tmp_path):
    raw = json.loads((DATA_DIR / "lke-zi.json").read_text(encoding="utf-8"))
    raw["komponen"][0]["sub_komponen"][0]["areas"][0]["sub_areas"][0]["bobot"] = 0.75
    bad = tmp_path / "lke.json"
    bad.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(TpiError, match="bobot sub-area pemenuhan MP"):
        load_instrument_files(bad, None)


def test_a_hasil_item_without_bobot_is_refused_even_when_the_total_is_40(tmp_path):
    """Scoring multiplies every hasil item by its bobot; a file missing one must not load."""
    raw = json.loads((DATA_DIR / "lke-zi.json").read_text(encoding="utf-8"))
    bersih = raw["komponen"][1]["sub_komponen"][0]["items"]
    assert [i["singkatan"] for i in bersih] == ["IPAK", "Capaian Kinerja"]
    bersih[0]["bobot"] = 22.5  # IPAK takes kinerja's 5: the hasil total still reads 40
    del bersih[1]["bobot"]
    bad = tmp_path / "lke.json"
    bad.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(TpiError, match="butir hasil 126 tidak memiliki bobot"):
        load_instrument_files(bad, None)


def test_lke_codes_follow_the_lampiran_iii_sheet_hierarchy():
    # Rows of the Lampiran III "LKE ZI" sheet (columns B-F) as units file their evidence.
    sheet = {
        1: "A.I.1.i.a",
        2: "A.I.1.i.b",
        12: "A.I.1.iv.d",
        39: "A.I.3.vi.a",
        50: "A.I.4.ii.h",
        68: "A.I.5.v.e",
        92: "A.II.1.ii.a",
        121: "A.II.6.i.a",
        124: "A.II.6.ii.a",
        125: "B.I.a",
        126: "B.I.b",
        127: "B.II.a",
    }
    assert {i: INST.kode_lke(i) for i in sheet} == sheet
    # Jumlah rows are numbered under the percentage they feed; the percentage keeps its sheet letter.
    assert INST.kode_lke("R.PP.i.b") == "A.II.6.i.b" and INST.kode_lke(123) == "A.II.6.i.b.2"
    assert INST.kode_lke(88) == "A.II.1.i.a.1" and INST.kode_lke(90) == "A.II.1.i.b.1"
    # The nested LHKPN block's one percentage row is the block itself.
    assert INST.kode_lke("R.PW.iii.a.a") == INST.kode_lke("R.PW.iii.a") == "A.II.5.iii.a"
    assert INST.kode_lke(116) == "A.II.5.iii.a.4"
    assert INST.kode_lke("P.SDM.iii") == "A.I.3.iii" and INST.kode_lke("7") == "A.I.1.iii.b"
    item_codes = [INST.kode_lke(i) for i in INST.order]
    assert len(set(item_codes)) == 127
    assert INST.label_butir(62) == "A.I.5.iv.b (butir 62)"


def test_an_unknown_lke_code_is_one_clear_message():
    with pytest.raises(TpiError, match="Kode LKE 'P.XX.i' tidak dikenal"):
        INST.kode_lke("P.XX.i")
    with pytest.raises(TpiError, match="Butir LKE '999' tidak dikenal"):
        INST.kode_lke(999)
