"""The one answer policy: state on answer, differs/alasan, completeness, names, narasumber lines."""

from __future__ import annotations

import pytest

from tpi_tui.core.errors import TpiError
from tpi_tui.core.rules.instrument import load_instrument
from tpi_tui.core.rules.meta import JENIS_SESI, TARGETS, clean_tim, parse_narasumber_lines
from tpi_tui.core.rules.policy import (
    AREA_READINGS,
    BacaanArea,
    JenisSesi,
    PeranNarasumber,
    StatusButir,
    Target,
    apply_answer_rules,
    choices,
    completeness,
    differs,
    name_matches,
    needs_alasan,
)


def test_enums_are_the_stored_strings():
    assert choices(JenisSesi) == list(JENIS_SESI) == ["wawancara", "verifikasi", "desk"]
    assert choices(Target) == list(TARGETS) == ["WBK", "WBBM"]
    assert list(AREA_READINGS) == ["keduanya", "gabungan", "terpisah"]
    assert JenisSesi("desk") == "desk" and JenisSesi.VERIFIKASI.label == "Verifikasi Lapangan"
    assert BacaanArea.KEDUANYA.combined and BacaanArea.KEDUANYA.separate
    assert not BacaanArea.GABUNGAN.separate and not BacaanArea.TERPISAH.combined


def test_narasumber_roles_match_the_interview_guide():
    assert choices(PeranNarasumber) == list(load_instrument().narasumber)


@pytest.mark.parametrize(
    ("state", "want"),
    [(None, "dijawab"), ("belum", "dijawab"), ("ditanyakan", "dijawab"), ("dijawab", None), ("diverifikasi", None)],
)
def test_a_tpi_answer_moves_an_open_item_to_dijawab(state, want):
    current = {} if state is None else {"state": state}
    out = apply_answer_rules(current, {"jawaban_tpi": "Ya"})
    assert out.get("state") == want


def test_unit_answers_and_explicit_states_are_left_alone():
    assert apply_answer_rules({}, {"jawaban_unit": "Ya"}) == {"jawaban_unit": "Ya"}
    assert apply_answer_rules({}, {"jawaban_tpi": "Ya", "state": "diverifikasi"})["state"] == "diverifikasi"
    assert apply_answer_rules({}, {"jawaban_tpi": None}) == {"jawaban_tpi": None}
    assert StatusButir.DIJAWAB == "dijawab"


def test_differs_and_alasan():
    assert differs({"jawaban_tpi": "Ya", "jawaban_unit": "Tidak"})
    assert not differs({"jawaban_tpi": "Ya"}) and not differs({"jawaban_tpi": 3, "jawaban_unit": 3})
    assert needs_alasan({"jawaban_tpi": "A", "jawaban_unit": "B", "alasan": "  "})
    assert not needs_alasan({"jawaban_tpi": "A", "jawaban_unit": "B", "alasan": "Dokumen belum ditetapkan."})


def test_completeness_names_counts_and_first_items():
    answers = {str(i): {"jawaban_tpi": "Ya", "jawaban_unit": "Ya"} for i in range(1, 11)}
    answers["3"] = {"jawaban_tpi": "Ya", "jawaban_unit": "Tidak"}
    answers["4"] = {"jawaban_tpi": "Ya", "jawaban_unit": "Tidak", "alasan": "SK belum ada."}
    del answers["7"]
    gaps = completeness(list(range(1, 13)), answers)
    assert gaps.unanswered == [7, 11, 12] and gaps.tanpa_alasan == [3]
    assert not gaps.complete
    assert gaps.message() == (
        "Penilaian belum lengkap: 3 butir belum dijawab TPI (butir 7, 11, 12); "
        "1 jawaban TPI berbeda dari jawaban unit tanpa alasan perbedaan (butir 3)."
    )
    many = completeness(list(range(1, 101)), {})
    assert "100 butir belum dijawab TPI (butir 1, 2, 3, 4, 5, …)" in many.message()
    assert completeness([1], {"1": {"jawaban_tpi": "Ya"}}).complete


def test_signer_name_matching():
    person = {"nama": "Rina Marlina, S.E., Ak."}
    assert name_matches(person, "rina  marlina")
    assert name_matches(person, "Rina Marlina, S.E., Ak.")
    assert not name_matches(person, "Rina") and not name_matches(person, "") and not name_matches(None, "Rina")


def test_narasumber_lines():
    people = parse_narasumber_lines(
        "Drs. Sulaiman; 197004111994031006; Kepala Dinas; pimpinan\n\nIbu Warsini; -; Warga; pengguna_layanan\n",
        tuple(choices(PeranNarasumber)),
    )
    assert [p["nama"] for p in people] == ["Drs. Sulaiman", "Ibu Warsini"]
    assert people[0] == {
        "nama": "Drs. Sulaiman",
        "nip": "197004111994031006",
        "jabatan": "Kepala Dinas",
        "peran": "pimpinan",
    }
    with pytest.raises(TpiError, match=r"^Baris 2: Peran narasumber .presiden."):
        parse_narasumber_lines("A; -; X; pimpinan\nB; -; Y; presiden", tuple(choices(PeranNarasumber)))
    with pytest.raises(TpiError, match=r"^Baris 1: NIP"):
        parse_narasumber_lines("A; 123; X; pimpinan", None)
    # an optional fifth part: pangkat/golongan (issue 22 item 6)
    [kepala] = parse_narasumber_lines("A; -; Kepala Dinas; pimpinan; Pembina (IV/a)", tuple(choices(PeranNarasumber)))
    assert kepala["pangkat"] == "Pembina (IV/a)"
    # a role typed as it is spoken is stored as the list spells it; a wrong one is still refused
    roles = tuple(choices(PeranNarasumber))
    people = parse_narasumber_lines("A; -; X; Pimpinan\nB; -; Y; Agen Perubahan\nC; -; Z; pengguna-layanan", roles)
    assert [p["peran"] for p in people] == ["pimpinan", "agen_perubahan", "pengguna_layanan"]
    with pytest.raises(TpiError, match=r"^Baris 1: Peran narasumber .Agen."):
        parse_narasumber_lines("A; -; X; Agen", roles)


def test_team_role_spelling_is_forgiven_but_a_second_ketua_is_not():
    tim = clean_tim([{"nama": "A", "peran": "ketua tim"}, {"nama": "B", "peran": "PENGENDALI TEKNIS"}])
    assert [p["peran"] for p in tim] == ["Ketua Tim", "Pengendali Teknis"]
    with pytest.raises(TpiError, match="satu Ketua Tim"):
        clean_tim([{"nama": "A", "peran": "ketua tim"}, {"nama": "B", "peran": "Ketua_Tim"}])
