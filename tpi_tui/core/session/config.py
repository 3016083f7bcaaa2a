"""``tpi.toml``: the workspace's settings, read with bounds and checked key by key (a wrong type or
an unknown choice is one Indonesian sentence naming the key), and the starter file a new workspace
gets."""

from __future__ import annotations

import copy
import ipaddress
import json
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from ..dates import ZONA_OFFSET, clean_date
from ..errors import TpiError, os_reason
from ..jsonfile import read_bounded, toml_loads
from ..numbering import check_pattern
from ..rules.meta import clean_person, clean_tim
from ..rules.policy import AREA_READINGS, PeranTim
from ..text import clean_line

CONFIG = "tpi.toml"


MAX_CONFIG_BYTES = 1024 * 1024  # a tpi.toml is a few KB


MAX_ACTOR = 120  # a name with titles ("Dr. Hj. ..., S.E., M.Si., Ak., CA") fits in about 60


_T = TypeVar("_T")


def _setting(toml: str, default: _T, convert: Callable[[Any], object] = str) -> _T:
    """A field of Config read from ``toml`` (dotted path in tpi.toml), ``default`` when absent.

    Typed as its default, as ``dataclasses.field`` is: the dataclass makes it the field's default,
    so mypy checks each default against the field's annotation.
    """
    meta = {"toml": toml, "convert": convert}
    if isinstance(default, (list, dict)):

        def fresh() -> _T:
            return copy.copy(default)  # each Config its own list/dict (a shallow copy, as list()/dict())

        return field(default_factory=fresh, metadata=meta)
    return field(default=default, metadata=meta)


def _str_list(value: object) -> list[str]:
    if not isinstance(value, list):
        raise TypeError("harus berupa daftar")
    return [str(x) for x in value]


def _upper(value: object) -> str:
    return str(value).upper()


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError("harus true atau false")
    return value


def _choice(value: object, allowed: tuple[str, ...], key: str) -> str:
    text = str(value).strip().lower()
    if text not in allowed:
        raise TpiError(f"{key} harus salah satu dari {', '.join(allowed)}.")
    return text


def _per_year(value: object, key: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(str(k).isdigit() and len(str(k)) == 4 for k in value):
        raise TpiError(f'{key} harus berbentuk {{ 2025 = "2025-05-31" }}.')
    return {str(k): str(v) for k, v in value.items()}


def _tim(value: object) -> list[dict[str, str]]:
    return clean_tim([{"peran": PeranTim.ANGGOTA.value, **p} for p in _tables(value)])


def _tables(value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(o, dict) for o in value):
        raise TypeError("harus berupa daftar tabel ([[...]])")
    return [dict(o) for o in value]


def _proxies(value: object) -> list[str]:
    """[api] proxy_tepercaya: addresses (or networks) whose X-Forwarded-For is believed."""

    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError('harus berupa daftar alamat, misalnya ["127.0.0.1"]')
    for v in value:
        try:
            ipaddress.ip_network(v.strip(), strict=False)
        except ValueError:
            raise TpiError(
                f"api.proxy_tepercaya: '{v[:60]}' bukan alamat IP atau jaringan (misalnya 10.0.0.0/8)."
            ) from None
    return [v.strip() for v in value]


def _bounded(key: str, low: float, high: float, whole: bool = False) -> Callable[[object], int | float]:
    def convert(value: object) -> int | float:
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or (whole and not isinstance(value, int))
            or not low <= value <= high
        ):
            kind = "bilangan bulat" if whole else "angka"
            raise TpiError(f"{key} harus {kind} antara {low:g} dan {high:g}.")
        return value if whole else float(value)

    return convert


def _toml_kind(value: object) -> str:
    """What a TOML value is, in the words of an error message."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"angka {value!r}"
    if isinstance(value, str):
        return "teks"
    if isinstance(value, list):
        return "daftar"
    if isinstance(value, dict):
        return "tabel"
    return "tanggal/waktu"


def _expected(default: object) -> tuple[type | tuple[type, ...], str]:
    """The TOML type a setting needs (from its default) and how to say it."""
    if isinstance(default, bool):
        return bool, "berupa true atau false"
    if isinstance(default, (int, float)):
        return (int, float), "berupa angka"
    if isinstance(default, list):
        return list, "berupa daftar [ ... ]"
    if isinstance(default, dict):
        return dict, "berupa tabel [ ... ]"
    return str, 'berupa teks dalam tanda kutip ("...")'


def clean_actor(name: object, source: str) -> str:
    """The assessor's name recorded on every change: one short line of plain text."""
    text = clean_line(name, f"nama pengguna ({source})", MAX_ACTOR).strip()
    if not text:
        raise TpiError(f"Nama pengguna ({source}) kosong.")
    return text


# Paper sizes (width, height in mm, portrait) of [berita_acara] kertas: the one table for every
# format (Typst PDFs, HTML print CSS, DOCX). F4 as Indonesian offices buy it: 215 x 330 mm.
PAPER_MM = {"F4": (215, 330), "A4": (210, 297)}


@dataclass
class Config:
    """Every setting of ``tpi.toml`` with its default: the one table of defaults.

    Add a setting here (``_setting("section.key", default, convert)``); ``load_config`` and the
    ``tpi.toml`` written by ``tpi init`` take it from this table.
    """

    pengguna: str = _setting("pengguna", "")
    contoh: bool = _setting("contoh", False, _bool)  # the demo workspace: 'tpi demo' inside it opens it
    instansi: str = _setting("instansi.nama", "")
    unit: str = _setting("instansi.unit", "Inspektorat Daerah")
    kop: list[str] = _setting("instansi.kop", [], _str_list)
    kota: str = _setting("instansi.kota", "")
    zona_waktu: str = _setting("instansi.zona_waktu", "WIB")
    nomor: str = _setting("berita_acara.nomor", "700/{seq:03d}/BA-TPI/{bulan_romawi}/{tahun}")
    kertas: str = _setting("berita_acara.kertas", "F4", _upper)
    ambang_per_area: str = _setting("penilaian.ambang_per_area", "keduanya")
    siklus_basis: str = _setting("siklus.basis", "final-terakhir")
    # The evaluation cycle's documents (minutes/cycle_docs.py): number patterns and signatories.
    lhe_nomor: str = _setting("lhe.nomor", "700/{seq:03d}/LHE-TPI/{bulan_romawi}/{tahun}")
    lhe_kepada: str = _setting("lhe.kepada", "")  # default: "Bupati <kabupaten>" from instansi.nama
    lhe_sifat: str = _setting("lhe.sifat", "Penting")
    lhe_penandatangan_jabatan: str = _setting("lhe.penandatangan_jabatan", "Inspektur")
    lhe_penandatangan_nama: str = _setting("lhe.penandatangan_nama", "")
    lhe_penandatangan_nip: str = _setting("lhe.penandatangan_nip", "")
    lhe_penandatangan_pangkat: str = _setting("lhe.penandatangan_pangkat", "")
    surat_usulan_nomor: str = _setting("surat_usulan.nomor", "800/{seq:03d}/ZI/{bulan_romawi}/{tahun}")
    sptjm_nomor: str = _setting("surat_usulan.nomor_sptjm", "800/{seq:03d}/SPTJM-ZI/{bulan_romawi}/{tahun}")
    surat_usulan_kop: list[str] = _setting("surat_usulan.kop", [], _str_list)  # default: "BUPATI <KABUPATEN>"
    surat_usulan_penandatangan_jabatan: str = _setting("surat_usulan.penandatangan_jabatan", "")
    surat_usulan_penandatangan_nama: str = _setting("surat_usulan.penandatangan_nama", "")
    surat_usulan_penandatangan_nip: str = _setting("surat_usulan.penandatangan_nip", "")
    # PermenPANRB 5/2024: the instansi's address (SPTJM), the tembusan (jabatan, numbered), the
    # SPTJM form ("2024": Gambar 7, one statement by the head of the instansi, no meterai;
    # "2021": one statement per unit signed by its head over a meterai) and the yearly deadline.
    alamat_instansi: str = _setting("surat_usulan.alamat", "")
    surat_usulan_tembusan: list[str] = _setting("surat_usulan.tembusan", [], _str_list)
    sptjm_bentuk: str = _setting(
        "surat_usulan.sptjm", "2024", lambda v: _choice(v, ("2024", "2021"), "surat_usulan.sptjm")
    )
    batas_pengajuan: dict[str, str] = _setting(
        "surat_usulan.batas_pengajuan", {}, lambda v: _per_year(v, "surat_usulan.batas_pengajuan")
    )
    # Who signs the printed rekap: "inspektur" (the [lhe] signatory) or "ketua" (the roster's Ketua Tim).
    rekap_penandatangan: str = _setting(
        "rekap.penandatangan", "inspektur", lambda v: _choice(v, ("inspektur", "ketua"), "rekap.penandatangan")
    )
    # "pemda" or "kl": which Indeks RB minimum applies (Tabel 5); default from instansi.nama.
    jenis_instansi: str = _setting("instansi.jenis", "", lambda v: _choice(v, ("pemda", "kl"), "instansi.jenis"))
    # Seconds a writer waits for a session held by another process (a scripted loop, a second
    # terminal) before refusing: two loops of 200 'tpi answer' on one session saw 7% refused at 0.
    tunggu_kunci: float = _setting("penyimpanan.tunggu_kunci", 5.0, lambda v: _wait_seconds(v))
    tim: list[dict[str, str]] = _setting("tim", [], _tim)
    opd: list[dict[str, Any]] = _setting("opd", [], _tables)
    # The PortalRB API (tpi serve): proxies whose X-Forwarded-For names the client (default none:
    # every client is the connecting address), seconds a connection may take to send a complete
    # request, and the connections held at once (the oldest idle one is closed beyond it).
    api_proxy: list[str] = _setting("api.proxy_tepercaya", [], _proxies)
    api_tunggu: float = _setting("api.batas_tunggu_permintaan", 10.0, _bounded("api.batas_tunggu_permintaan", 1, 300))
    api_koneksi: int = _setting("api.maks_koneksi", 500, _bounded("api.maks_koneksi", 8, 10_000, whole=True))
    # Berita Acara: Dasar (decree forming the TPI, PKPT year), signatories, kop logo
    dasar: dict[str, str] = _setting(
        "dasar", {"sk_tpi_penetap": "", "sk_tpi_nomor": "", "sk_tpi_tanggal": "", "pkpt_tahun": ""}, lambda v: _dasar(v)
    )
    penandatangan: dict[str, Any] = _setting(
        "berita_acara.penandatangan",
        {"tim": [PeranTim.KETUA_TIM.value, PeranTim.ANGGOTA.value, PeranTim.PENGENDALI_TEKNIS.value]},
        lambda v: _penandatangan(v),
    )
    logo: str = _setting("berita_acara.logo", "", lambda v: _logo(v))


CONFIG_DEFAULTS = Config()


def _lookup(raw: dict[str, Any], dotted: str) -> object:
    """The value at ``section.key`` of the parsed TOML, or a sentinel when absent."""
    node = raw
    *sections, key = dotted.split(".")
    for part in sections:
        node = node.get(part, {})
        if not isinstance(node, dict):
            raise TypeError(f"[{part}] harus berupa tabel")
    return node.get(key, _MISSING)


_MISSING = object()


def load_config(path: Path) -> Config:
    try:
        raw = toml_loads(
            read_bounded(path, MAX_CONFIG_BYTES, f"Berkas {path.name}").decode("utf-8").removeprefix("\ufeff"),
            f"Berkas {path.name}",
        )
    except OSError as exc:
        raise TpiError(f"{path.name} tidak dapat dibaca: {os_reason(exc)}.") from None
    except UnicodeDecodeError:
        raise TpiError(f"{path.name} bukan teks UTF-8.") from None
    except ValueError as exc:  # tomllib.TOMLDecodeError
        raise TpiError(f"{path.name} tidak sah: {exc}.") from None
    values: dict[str, Any] = {}
    for f in fields(Config):
        key = f.metadata["toml"]
        try:
            value = _lookup(raw, key)
        except TypeError as exc:
            raise TpiError(f"{path.name} tidak sah: {exc}.") from None
        if value is _MISSING:
            continue
        default = f.default_factory() if f.default_factory is not MISSING else f.default
        kind, said = _expected(default)
        if f.metadata["convert"] in (_tim, _tables):
            said = f"berupa daftar tabel [[{key}]]"
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise TpiError(f"{path.name}: {key} harus {said}, bukan {_toml_kind(value)}.")
        try:
            values[f.name] = f.metadata["convert"](value)
        except (AttributeError, TypeError, ValueError) as exc:
            raise TpiError(f"{path.name}: {key} tidak sah: {exc}.") from None
        except TpiError as exc:
            raise TpiError(f"{path.name}: {exc}") from None
    cfg = Config(**values)
    try:
        _check_config_text(cfg)
    except TpiError as exc:
        raise TpiError(f"{path.name}: {exc}") from None
    if cfg.ambang_per_area not in AREA_READINGS:
        raise TpiError(f"{path.name}: penilaian.ambang_per_area harus salah satu dari {', '.join(AREA_READINGS)}.")
    if cfg.kertas not in PAPER_MM:
        raise TpiError(f"{path.name}: berita_acara.kertas harus A4 atau F4.")
    return cfg


MAX_WAIT = 60.0


SIGNING_ROLES = (PeranTim.KETUA_TIM, PeranTim.ANGGOTA, PeranTim.PENGENDALI_TEKNIS)


def _dasar(value: object) -> dict[str, str]:
    """[dasar]: the decree forming the TPI and the PKPT year (empty ones stay empty, never invented)."""
    if not isinstance(value, dict):
        raise TpiError("[dasar] harus berupa tabel.")
    tanggal = str(value.get("sk_tpi_tanggal", "") or "")
    pkpt = str(value.get("pkpt_tahun", "") or "").strip()
    if pkpt and not (pkpt.isdigit() and 2000 <= int(pkpt) <= 2099):
        raise TpiError("dasar.pkpt_tahun harus tahun empat angka, misalnya 2025.")
    return {
        "sk_tpi_penetap": clean_line(str(value.get("sk_tpi_penetap", "") or ""), "dasar.sk_tpi_penetap").strip(),
        "sk_tpi_nomor": clean_line(str(value.get("sk_tpi_nomor", "") or ""), "dasar.sk_tpi_nomor").strip(),
        "sk_tpi_tanggal": clean_date(tanggal, "dasar.sk_tpi_tanggal") if tanggal else "",
        "pkpt_tahun": pkpt,
    }


def _penandatangan(value: object) -> dict[str, Any]:
    """[berita_acara.penandatangan]: which team roles sign, and the optional officials."""

    if not isinstance(value, dict):
        raise TpiError("[berita_acara.penandatangan] harus berupa tabel.")
    tim = [str(r) for r in value.get("tim", list(SIGNING_ROLES))]
    for role in tim:
        if role not in SIGNING_ROLES:
            raise TpiError(
                f"berita_acara.penandatangan.tim: peran '{role}' harus salah satu dari {', '.join(SIGNING_ROLES)}."
            )
    out: dict[str, Any] = {"tim": tim}
    for key, what in (("pengendali_mutu", "Pengendali Mutu"), ("penanggung_jawab", "Penanggung Jawab")):
        if value.get(key):
            out[key] = clean_person({"peran": what, **value[key]}, what)
    return out


def _logo(value: object) -> str:
    logo = str(value or "").strip()
    if logo and not logo.lower().endswith((".png", ".jpg", ".jpeg")):
        raise TpiError("berita_acara.logo harus berkas PNG atau JPEG.")
    return logo


def _wait_seconds(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_WAIT:
        raise TpiError(f"penyimpanan.tunggu_kunci harus angka detik antara 0 dan {MAX_WAIT:g}.")
    return float(value)


def _check_config_text(cfg: Config) -> None:
    """Strings from tpi.toml reach the Berita Acara and every change record: one plain line each."""

    for what, value in (
        ("instansi.nama", cfg.instansi),
        ("instansi.unit", cfg.unit),
        ("instansi.kota", cfg.kota),
        ("instansi.zona_waktu", cfg.zona_waktu),
    ):
        clean_line(value, what)
    zona = cfg.zona_waktu.strip().upper()  # printed after every time; it also sets the wall clock
    if zona not in ZONA_OFFSET:
        raise TpiError(f"instansi.zona_waktu '{cfg.zona_waktu[:20]}' harus salah satu dari: {', '.join(ZONA_OFFSET)}.")
    cfg.zona_waktu = zona
    for n, line in enumerate(cfg.kop, start=1):
        clean_line(line, f"instansi.kop baris ke-{n}")
    for n, opd in enumerate(cfg.opd, start=1):
        clean_line(str(opd.get("nama", "")), f"opd ke-{n} nama", MAX_OPD)
    if cfg.pengguna:
        cfg.pengguna = clean_actor(cfg.pengguna, "pengguna di tpi.toml")
    check_pattern(cfg.nomor, "pola nomor (berita_acara.nomor)")
    for attr, what in (
        ("lhe_nomor", "pola nomor (lhe.nomor)"),
        ("surat_usulan_nomor", "pola nomor (surat_usulan.nomor)"),
        ("sptjm_nomor", "pola nomor (surat_usulan.nomor_sptjm)"),
    ):
        if isinstance(getattr(cfg, attr, None), str):
            check_pattern(getattr(cfg, attr), what)


CONFIG_TEMPLATE = """# Ruang kerja Tim Penilai Internal (TPI) Zona Integritas
# Berkas ini dibaca oleh tpi; ubah sesuai instansi Anda.

# Nama yang dicatat pada riwayat perubahan bila --as / TPI_USER tidak diberikan.
pengguna = {pengguna}

[instansi]
nama = {instansi}
unit = {unit}
kota = {kota}
zona_waktu = {zona_waktu}
# Baris kop surat, dari atas ke bawah.
kop = [
{kop}
]

[berita_acara]
# Pola nomor: {{seq}} nomor urut per tahun, {{bulan_romawi}}, {{bulan}}, {{tahun}}.
nomor = {nomor}
kertas = {kertas}   # F4 (215 x 330 mm) atau A4
# Logo kop (PNG/JPEG), relatif terhadap folder ruang kerja; kosong = tanpa logo.
logo = ""

[berita_acara.penandatangan]
# Peran tim (dari sesi) yang menandatangani, dan pejabat tambahan (opsional).
tim = ["Ketua Tim", "Anggota", "Pengendali Teknis"]
# pengendali_mutu = {{ nama = "...", nip = "...", jabatan = "Inspektur Pembantu ..." }}
# penanggung_jawab = {{ nama = "...", nip = "...", jabatan = "Inspektur" }}

[dasar]
# Dasar Berita Acara. Yang kosong tidak dikarang: dokumen menampilkan titik-titik untuk diisi.
sk_tpi_penetap = ""   # misalnya "Keputusan Bupati ..."
sk_tpi_nomor = ""
sk_tpi_tanggal = ""   # TTTT-BB-HH
pkpt_tahun = ""       # tahun Program Kerja Pengawasan Tahunan (PKPT), misalnya 2025

[penilaian]
# Batas minimal per area: "gabungan" (pemenuhan+reform), "terpisah", atau "keduanya".
ambang_per_area = {ambang_per_area}

[penyimpanan]
# Detik seorang penulis (mis. 'tpi answer' dalam skrip) menunggu sesi yang sedang dipakai proses
# lain sebelum menolak (0-60). Antarmuka terminal tidak menunggu: sesi itu dibuka hanya-baca.
tunggu_kunci = 5

[siklus]
# Sesi dasar tiap OPD per tahun (rekap, usulan, LHE): "final-terakhir" = sesi final terakhir,
# bila belum ada sesi terakhir (ditandai draf); "terakhir" = selalu sesi terakhir.
# Pilihan per OPD: di [[opd]] tulis sesi_basis = {{ 2025 = "ID sesi" }}; ID unit PortalRB: unit_id = "...".
basis = "final-terakhir"

[lhe]
# Laporan Hasil Evaluasi TPI: pola nomor sendiri dan penandatangan (Inspektur).
nomor = "700/{{seq:03d}}/LHE-TPI/{{bulan_romawi}}/{{tahun}}"
penandatangan_jabatan = "Inspektur"
# penandatangan_nama = "..."
# penandatangan_nip = "..."
# kepada = "Bupati ..."   (bawaan: dari nama instansi)

[surat_usulan]
# Surat pengajuan kepada Menteri PANRB dan SPTJM (PermenPANRB 5/2024 Gambar 6 dan 7), satu surat
# untuk semua unit, ditandatangani pimpinan instansi (kepala daerah).
nomor = "800/{{seq:03d}}/ZI/{{bulan_romawi}}/{{tahun}}"
nomor_sptjm = "800/{{seq:03d}}/SPTJM-ZI/{{bulan_romawi}}/{{tahun}}"
# penandatangan_nama = "..."
# penandatangan_jabatan = "Bupati ..."   (bawaan: dari nama instansi)
# penandatangan_nip = ""                 (pimpinan instansi ASN; kepala daerah tanpa NIP)
# alamat = "..."                         (alamat instansi pada SPTJM)
# tembusan = ["Sekretaris Daerah ...", "Inspektur ..."]   (bawaan: Sekda, Inspektur, pimpinan unit yang diusulkan)
# sptjm = "2024"   ("2024": Gambar 7, satu pernyataan pimpinan instansi tanpa meterai;
#                   "2021": bentuk lama, satu pernyataan per unit oleh pimpinannya di atas meterai)
# batas_pengajuan = {{ 2025 = "2025-05-31" }}   (bawaan 31 Mei; isi bila TPN menetapkan tanggal lain)
# Rekap cetak ditandatangani: [rekap] penandatangan = "inspektur" (bawaan, penandatangan [lhe]) atau "ketua".
# Per OPD di [[opd]]: pencanangan = "TTTT-BB-HH" (syarat membangun ZI minimal satu tahun) dan
# afirmasi = "rsud" | "dukcapil" | "samsat" | "ptsp" | "pendidikan" | "ketenagakerjaan" | false.

{tim}
{opd}"""


def _toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def render_config(
    *,
    instansi: str,
    unit: str,
    kota: str,
    kop: list[str],
    nomor: str = CONFIG_DEFAULTS.nomor,
    pengguna: str = "",
    tim: list[dict[str, str]] | None = None,
    opd: list[dict[str, Any]] | None = None,
) -> str:
    def tables(name: str, rows: list[dict[str, Any]]) -> str:
        blocks = []
        for row in rows:
            lines = [f"[[{name}]]"] + [f"{k} = {_toml_str(str(v))}" for k, v in row.items()]
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks) + ("\n" if blocks else "")

    return CONFIG_TEMPLATE.format(
        pengguna=_toml_str(pengguna),
        instansi=_toml_str(instansi),
        unit=_toml_str(unit),
        kota=_toml_str(kota),
        kop="\n".join(f"  {_toml_str(line)}," for line in kop),
        nomor=_toml_str(nomor),
        zona_waktu=_toml_str(CONFIG_DEFAULTS.zona_waktu),
        kertas=_toml_str(CONFIG_DEFAULTS.kertas),
        ambang_per_area=_toml_str(CONFIG_DEFAULTS.ambang_per_area),
        tim=tables("tim", tim or []),
        opd=tables("opd", opd or []),
    )


def starter_config() -> str:
    """The tpi.toml of a new workspace (``tpi init``; also the repository root's own tpi.toml)."""
    return render_config(
        instansi="Pemerintah Kabupaten ...",
        unit=CONFIG_DEFAULTS.unit,
        kota="...",
        kop=["PEMERINTAH KABUPATEN ...", "INSPEKTORAT DAERAH", "Alamat ..., Telepon ..., Laman ..."],
        tim=[
            {"nama": "Nama Ketua Tim", "nip": "-", "jabatan": "Auditor Ahli Madya", "peran": PeranTim.KETUA_TIM.value}
        ],
    )


MAX_OPD = 200
