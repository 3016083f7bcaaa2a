"""One person, one key (issue 21 item 1): the impostor attack replayed with real CLI calls.

Before: with separate config folders, the reviewer's ``tpi key new --as "Hendra Saputra, S.E.,
M.M."`` and then an impostor's ``tpi key new --as "Hendra Saputra"`` were both accepted; signing
and verify treated both names as one person, so the impostor's review in the reviewer's name was
"berlaku (berkunci)", finalize passed, ``tpi verify`` said OK and ``tpi key list`` flagged nothing.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from _cli_run import tpi_in_process

from tpi_tui.core.identity import person_id, same_person
from tpi_tui.core.rules.policy import name_matches
from tpi_tui.core.session.workspace import init_workspace
from tpi_tui.core.team import keys

ROOT = Path(__file__).resolve().parents[1]
HENDRA = "Hendra Saputra, S.E., M.M."
SARI = "Sari Dewi, S.Kom."


class Laptop:
    """One person's computer: their own config folder (private keys), the shared workspace."""

    def __init__(self, ws, config: Path, who: str) -> None:
        self.ws, self.config, self.who = ws, config, who

    def tpi(self, *args: str) -> subprocess.CompletedProcess:
        env = {"TPI_WORKSPACE": None, "TPI_GALAT_LOG": None, "XDG_CONFIG_HOME": str(self.config), "TPI_USER": self.who}
        done = tpi_in_process("-w", str(self.ws.root), *args, cwd=self.ws.root, env=env)
        assert "Traceback" not in done.stderr, done.stderr
        return done


@pytest.fixture
def office(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    with ws.new_session(
        opd="Dinas Sosial", jenis="wawancara", tanggal="2025-05-15", target="WBK", tempat="Aula", actor="Rina"
    ) as s:
        s.set_meta({"tim": [{"nama": HENDRA, "peran": "Ketua Tim"}, {"nama": SARI, "peran": "Pengendali Teknis"}]})
        s.set_item(1, {"jawaban_tpi": "Ya"})
        sid, path = s.id, s.path
    hendra = Laptop(ws, tmp_path / "config-hendra", "Hendra")
    sari = Laptop(ws, tmp_path / "config-sari", "Sari")
    impostor = Laptop(ws, tmp_path / "config-impostor", "Operator")
    return ws, sid, path, hendra, sari, impostor


def registry(ws) -> dict:
    return json.loads((ws.root / ".tpi" / "kunci.json").read_text(encoding="utf-8"))


def write_registry(ws, data: dict) -> None:
    (ws.root / ".tpi" / "kunci.json").write_text(json.dumps(data, indent=1), encoding="utf-8")


@pytest.mark.parametrize(
    "name",
    [
        "Hendra Saputra, S.E., M.M.",
        "Hendra Saputra",
        "hendra  SAPUTRA",
        "Dr. Hendra Saputra",
        "Hendra Saputra SE MM",
        "Drs. H. Hendra Saputra, M.Si",
        "Hendra Saputra S.Kom",
    ],
)
def test_titles_case_and_spacing_are_one_person(name):
    assert person_id(name) == "hendra saputra"
    assert same_person(name, HENDRA) and name_matches({"nama": HENDRA}, name)


def test_different_people_stay_different():
    assert not same_person("Hendra Saputro", HENDRA)
    assert not same_person("Budi S.", "Budi")  # a lone initial is part of the name, not a degree
    assert not same_person("", "") and person_id("  ") == ""


def test_the_impostor_cannot_register_a_second_key_for_the_same_person(office):
    ws, sid, path, hendra, _, impostor = office
    made = hendra.tpi("key", "new", "--as", HENDRA)
    assert made.returncode == 0, made.stderr
    before = (ws.root / ".tpi" / "kunci.json").read_bytes()
    for name in ("Hendra Saputra", "Dr. Hendra Saputra", "hendra saputra S.E."):
        refused = impostor.tpi("key", "new", "--as", name)
        assert refused.returncode == 2, refused.stdout
        assert "sudah memiliki kunci aktif" in refused.stderr and "tpi key rotate" in refused.stderr
        assert "orang yang sama" in refused.stderr
    assert (ws.root / ".tpi" / "kunci.json").read_bytes() == before
    session = path.read_bytes()
    signed = impostor.tpi("review", sid, "--as", HENDRA)
    assert signed.returncode == 2 and "tidak ada di komputer ini" in signed.stderr
    assert path.read_bytes() == session
    again = hendra.tpi("key", "new", "--as", "Hendra Saputra")  # the holder: the same key, nothing new
    assert again.returncode == 0 and "sudah ada" in again.stdout
    assert (ws.root / ".tpi" / "kunci.json").read_bytes() == before


def test_an_impostor_key_slipped_into_the_registry_fails_verify_and_is_flagged(office):
    ws, sid, path, hendra, sari, impostor = office
    assert hendra.tpi("key", "new", "--as", HENDRA).returncode == 0
    assert sari.tpi("key", "new", "--as", SARI).returncode == 0
    # the impostor registers a key as a different person, then renames it by hand, and -- to be able
    # to sign -- hides the genuine key while signing, putting it back afterwards
    assert impostor.tpi("key", "new", "--as", "Hendra Saputro").returncode == 0
    data = registry(ws)
    genuine = next(k for k in data["kunci"] if k["nama"] == HENDRA)
    forged = next(k for k in data["kunci"] if k["nama"] == "Hendra Saputro")
    forged["nama"] = "Hendra Saputra"
    write_registry(ws, {"kunci": [k for k in data["kunci"] if k is not genuine]})
    signed = impostor.tpi("review", sid, "--as", HENDRA)
    assert signed.returncode == 0 and "berkunci" in signed.stdout, signed.stderr
    write_registry(ws, data)  # the genuine key is back: two active keys for Hendra
    checked = hendra.tpi("verify", sid)
    assert checked.returncode == 2
    assert "lebih dari satu kunci aktif" in checked.stdout
    whole = hendra.tpi("verify", "--all")
    assert whole.returncode == 2 and "2 kunci aktif untuk satu orang" in whole.stdout
    listed = hendra.tpi("key", "list").stdout
    assert "PERINGATAN: 2 kunci aktif untuk satu orang" in listed
    assert forged["sidik"] in listed and genuine["sidik"] in listed and "didaftarkan" in listed
    refused = sari.tpi("review", sid, "--as", SARI)  # tier 2 needs a valid tier 1: the impostor's is not
    assert refused.returncode == 2 and "Pengendali Teknis baru dapat menandatangani" in refused.stderr
    genuine_try = hendra.tpi("review", sid, "--as", HENDRA)  # nobody signs as Hendra until repaired
    assert genuine_try.returncode == 2 and "bermasalah" in genuine_try.stderr


def test_a_hand_made_retirement_does_not_retire(office):
    ws, sid, _, hendra, _, impostor = office
    assert hendra.tpi("key", "new", "--as", HENDRA).returncode == 0
    assert impostor.tpi("key", "new", "--as", "Hendra Saputro").returncode == 0
    data = registry(ws)
    for k in data["kunci"]:
        if k["nama"] == HENDRA:
            k["dipensiunkan"] = {"sejak": "2025-01-01T00:00:00+07:00", "oleh": "Hendra", "pengganti": "x"}
        else:
            k["nama"] = "Hendra Saputra"
    write_registry(ws, data)
    refused = impostor.tpi("review", sid, "--as", HENDRA)
    assert refused.returncode == 2 and "bermasalah" in refused.stderr
    listed = hendra.tpi("key", "list").stdout
    assert "catatan pensiun tidak berlaku" in listed and "PERINGATAN" in listed
    assert hendra.tpi("verify", "--all").returncode == 2


def test_rotation_is_explicit_recorded_and_checked(office):
    ws, sid, path, hendra, sari, impostor = office
    first = hendra.tpi("key", "new", "--as", HENDRA)
    assert first.returncode == 0
    old_fp = registry(ws)["kunci"][0]["sidik"]
    assert hendra.tpi("review", sid, "--as", HENDRA).returncode == 0  # signed with the old key
    rotated = hendra.tpi("key", "rotate", "--as", "Hendra Saputra")
    assert rotated.returncode == 0, rotated.stderr
    assert "dipensiunkan sejak" in rotated.stdout and "ditandatangani kunci lama" in rotated.stdout
    data = registry(ws)["kunci"]
    assert len(data) == 2 and data[0]["dipensiunkan"]["pengganti"] == data[1]["sidik"]
    assert data[1]["menggantikan"] == old_fp and data[0]["dipensiunkan"]["tanda"]
    listed = hendra.tpi("key", "list").stdout
    assert f"{old_fp}  {HENDRA}  didaftarkan" in listed and "dipensiunkan sejak" in listed
    assert "PERINGATAN" not in listed
    assert hendra.tpi("verify", "--all").returncode == 0  # the sign-off before the rotation still counts
    assert sari.tpi("key", "new", "--as", SARI).returncode == 0
    assert sari.tpi("review", sid, "--as", SARI).returncode == 0
    # the retired key signs nothing after its date
    registry_now = keys.load_registry(ws.root)
    late = {"peran": "Ketua Tim", "nama": HENDRA, "ts": "2999-01-01T00:00:00+07:00", "digest": "d"}
    private = _private(hendra.config, old_fp)
    late.update(kunci=old_fp, tanda=keys._b64(private.sign(keys.payload(sid, late))))
    assert keys.check(registry_now, sid, late) == keys.PENSIUN
    early = dict(late, ts="2000-01-01T00:00:00+07:00")
    early["tanda"] = keys._b64(private.sign(keys.payload(sid, early)))
    assert keys.check(registry_now, sid, early) == keys.SAH
    # without the old key, a rotation needs a written reason and is flagged wherever keys are shown
    refused = impostor.tpi("key", "rotate", "--as", HENDRA)
    assert refused.returncode == 2 and "--reason" in refused.stderr
    lost = impostor.tpi("key", "rotate", "--as", HENDRA, "--reason", "laptop lama hilang")
    assert lost.returncode == 0 and "TANPA kunci lama" in lost.stdout
    assert "TANPA kunci lama: laptop lama hilang" in hendra.tpi("key", "list").stdout
    whole = hendra.tpi("verify", "--all")
    assert "TANPA kunci lama" in whole.stdout


def _private(config: Path, fp: str):
    from cryptography.hazmat.primitives import serialization

    pem = config / "tpi" / "kunci" / (fp.replace(":", "-") + ".pem")
    return serialization.load_pem_private_key(pem.read_bytes(), password=None)
