"""The workspace: a folder with ``tpi.toml``, ``templates/``, ``sessions/<opd-slug>/``, ``out/``.

Found from ``--workspace``, then ``TPI_WORKSPACE``, then the current folder upward.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING

from .. import jsonfile
from ..atomic import write_atomic
from ..dates import clean_date, clean_time
from ..errors import TpiError, os_reason
from ..ids import ulid
from ..jsonfile import read_bounded, toml_loads
from ..rules.meta import JENIS_SESI, SCHEMA_VERSION, clean_meta_field, clean_tim
from ..rules.policy import AREA_READINGS, PeranTim, StatusSesi
from ..text import clean_line

if TYPE_CHECKING:
    from ..rules.instrument import Instrument
    from .store import SessionStore

# The instrument, the scorer and the store (TinyDB) are imported where they are used: bare `tpi`
# lists sessions from the index alone, and its launch budget is a few milliseconds (issue #15).

CONFIG = "tpi.toml"
INDEX = ".index.json"
INDEX_VERSION = 3  # 3: summaries count merge conflicts
MAX_OPD = 200
MAX_CONFIG_BYTES = 1024 * 1024  # a tpi.toml is a few KB
MAX_ACTOR = 120  # a name with titles ("Dr. Hj. ..., S.E., M.Si., Ak., CA") fits in about 60
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def slugify(name: str) -> str:
    """A folder name that cannot leave ``sessions/``: ascii, lowercase, dashes, <= 60 chars.

    '../../etc' -> 'etc', 'CON' -> 'con-opd', '...' -> error, emoji dropped.
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60].strip("-")
    if not text:
        shown = "".join(c if c.isprintable() else "?" for c in name[:40])
        raise TpiError(f"Nama OPD '{shown}' tidak memuat huruf atau angka; tulis nama OPD yang jelas.")
    if text in _RESERVED:
        text += "-opd"
    return text


def _setting(toml: str, default, convert=str):
    """A field of Config read from ``toml`` (dotted path in tpi.toml), ``default`` when absent."""
    meta = {"toml": toml, "convert": convert}
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata=meta)
    if isinstance(default, dict):
        return field(default_factory=lambda: dict(default), metadata=meta)
    return field(default=default, metadata=meta)


def _str_list(value) -> list[str]:
    if not isinstance(value, list):
        raise TypeError("harus berupa daftar")
    return [str(x) for x in value]


def _upper(value) -> str:
    return str(value).upper()


def _bool(value) -> bool:
    if not isinstance(value, bool):
        raise TypeError("harus true atau false")
    return value


def _choice(value, allowed: tuple[str, ...], key: str) -> str:
    text = str(value).strip().lower()
    if text not in allowed:
        raise TpiError(f"{key} harus salah satu dari {', '.join(allowed)}.")
    return text


def _per_year(value, key: str) -> dict:
    if not isinstance(value, dict) or not all(str(k).isdigit() and len(str(k)) == 4 for k in value):
        raise TpiError(f'{key} harus berbentuk {{ 2025 = "2025-05-31" }}.')
    return {str(k): str(v) for k, v in value.items()}


def _tim(value) -> list[dict]:
    return clean_tim([{"peran": PeranTim.ANGGOTA.value, **p} for p in _tables(value)])


def _tables(value) -> list[dict]:
    if not isinstance(value, list) or not all(isinstance(o, dict) for o in value):
        raise TypeError("harus berupa daftar tabel ([[...]])")
    return [dict(o) for o in value]


def _proxies(value) -> list[str]:
    """[api] proxy_tepercaya: addresses (or networks) whose X-Forwarded-For is believed."""
    import ipaddress

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


def _bounded(key: str, low: float, high: float, whole: bool = False):
    def convert(value):
        if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)) or not low <= value <= high:
            kind = "bilangan bulat" if whole else "angka"
            raise TpiError(f"{key} harus {kind} antara {low:g} dan {high:g}.")
        return value if whole else float(value)

    return convert


def _toml_kind(value) -> str:
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


def _expected(default) -> tuple[type, str]:
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
    batas_pengajuan: dict = _setting(
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
    tim: list[dict] = _setting("tim", [], _tim)
    opd: list[dict] = _setting("opd", [], _tables)
    # The PortalRB API (tpi serve): proxies whose X-Forwarded-For names the client (default none:
    # every client is the connecting address), seconds a connection may take to send a complete
    # request, and the connections held at once (the oldest idle one is closed beyond it).
    api_proxy: list[str] = _setting("api.proxy_tepercaya", [], _proxies)
    api_tunggu: float = _setting("api.batas_tunggu_permintaan", 10.0, _bounded("api.batas_tunggu_permintaan", 1, 300))
    api_koneksi: int = _setting("api.maks_koneksi", 500, _bounded("api.maks_koneksi", 8, 10_000, whole=True))
    # Berita Acara: Dasar (decree forming the TPI, PKPT year), signatories, kop logo
    dasar: dict = _setting(
        "dasar", {"sk_tpi_penetap": "", "sk_tpi_nomor": "", "sk_tpi_tanggal": "", "pkpt_tahun": ""}, lambda v: _dasar(v)
    )
    penandatangan: dict = _setting(
        "berita_acara.penandatangan",
        {"tim": [PeranTim.KETUA_TIM.value, PeranTim.ANGGOTA.value, PeranTim.PENGENDALI_TEKNIS.value]},
        lambda v: _penandatangan(v),
    )
    logo: str = _setting("berita_acara.logo", "", lambda v: _logo(v))


CONFIG_DEFAULTS = Config()


def _lookup(raw: dict, dotted: str):
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
    values = {}
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


def _dasar(value: object) -> dict:
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


def _penandatangan(value: object) -> dict:
    """[berita_acara.penandatangan]: which team roles sign, and the optional officials."""
    from ..rules.meta import clean_person

    if not isinstance(value, dict):
        raise TpiError("[berita_acara.penandatangan] harus berupa tabel.")
    tim = [str(r) for r in value.get("tim", list(SIGNING_ROLES))]
    for role in tim:
        if role not in SIGNING_ROLES:
            raise TpiError(
                f"berita_acara.penandatangan.tim: peran '{role}' harus salah satu dari {', '.join(SIGNING_ROLES)}."
            )
    out: dict = {"tim": tim}
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
    from ..numbering import check_pattern

    for what, value in (
        ("instansi.nama", cfg.instansi),
        ("instansi.unit", cfg.unit),
        ("instansi.kota", cfg.kota),
        ("instansi.zona_waktu", cfg.zona_waktu),
    ):
        clean_line(value, what)
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


@dataclass
class SessionSummary:
    id: str
    path: str  # relative to sessions/
    opd: str
    opd_slug: str
    tanggal: str
    jenis: str
    target: str
    status: str
    answered: int
    total_items: int
    nilai_tpi: float
    nilai_unit: float
    error: str = ""
    konflik: int = 0  # recorded merge conflicts not yet resolved (core/team/merge.py)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.config_path = self.root / CONFIG
        self.sessions_dir = self.root / "sessions"
        self.templates_dir = self.root / "templates"
        self.out_dir = self.root / "out"
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    @property
    def instrument(self) -> Instrument:
        from ..rules.instrument import load_instrument

        return load_instrument()

    def actor(self, explicit: str | None = None) -> str:
        """Who is writing: --as, then TPI_USER, then tpi.toml 'pengguna', then the OS user."""
        import getpass

        if explicit is not None:  # given, even empty: "--as ''" is refused, not the next default
            return clean_actor(explicit, "--as")
        if os.environ.get("TPI_USER"):
            return clean_actor(os.environ["TPI_USER"], "TPI_USER")
        if self.config.pengguna:
            return self.config.pengguna  # checked when tpi.toml was loaded
        try:
            return getpass.getuser()
        except Exception:  # pragma: no cover - no user database
            return "tanpa-nama"

    # -- sessions ---------------------------------------------------------------------------
    def opd_dir(self, opd_name: str) -> Path:
        path = (self.sessions_dir / slugify(opd_name)).resolve()
        if path.parent != self.sessions_dir.resolve():  # belt and braces: slugify already forbids it
            raise TpiError("Nama OPD menghasilkan folder di luar sessions/.")
        return path

    def session_files(self) -> list[Path]:
        return [self.sessions_dir / rel for rel, _ in self._scan()]

    def _scan(self) -> list[tuple[str, os.stat_result]]:
        """(relative path, stat) of every session file, via scandir (listing 1,000 files with
        pathlib glob + stat cost ~35 ms at Beranda start; this ~3x less)."""
        out = []
        try:
            folders = [e for e in os.scandir(self.sessions_dir) if e.is_dir() and not e.name.startswith(".")]
        except OSError:
            return []
        for folder in folders:
            try:
                entries = list(os.scandir(folder.path))
            except OSError:
                continue
            for entry in entries:
                name = entry.name
                if name.endswith(".json") and not name.startswith(".") and entry.is_file():
                    try:
                        out.append((f"{folder.name}/{name}", entry.stat()))
                    except OSError:
                        continue
        out.sort()
        return out

    def unlisted(self) -> list[tuple[Path, str]]:
        """(path, why) of what in sessions/ looks like a session but cannot be listed or read:
        a ``*.json`` that is a folder or not a regular file, a folder that cannot be opened.
        ``tpi verify --all`` reports these; it never counts a skipped path as verified."""
        out: list[tuple[Path, str]] = []
        try:
            folders = [e for e in os.scandir(self.sessions_dir) if not e.name.startswith(".")]
        except FileNotFoundError:
            return []
        except OSError as exc:
            return [(self.sessions_dir, f"folder sessions/ tidak dapat dibaca ({os_reason(exc)}).")]
        for folder in folders:
            try:
                if not folder.is_dir():
                    continue
                entries = list(os.scandir(folder.path))
            except OSError as exc:
                out.append((Path(folder.path), f"folder {folder.name}/ tidak dapat dibaca ({os_reason(exc)})."))
                continue
            for entry in entries:
                if not entry.name.endswith(".json") or entry.name.startswith("."):
                    continue
                try:
                    if entry.is_file():
                        entry.stat()
                        continue
                    why = "berupa folder, bukan berkas sesi" if entry.is_dir() else "bukan berkas biasa"
                except OSError as exc:
                    why = f"tidak dapat dibaca ({os_reason(exc)})"
                out.append((Path(entry.path), f"{folder.name}/{entry.name} {why}; tidak diperiksa."))
        return sorted(out)

    def new_session(
        self,
        *,
        opd: str,
        jenis: str,
        tanggal: str,
        target: str,
        tempat: str = "",
        jam_mulai: str = "",
        dasar: dict | None = None,
        tim: list[dict] | None = None,
        narasumber: list[dict] | None = None,
        predikat_wbk: bool | None = None,
        actor: str = "",
    ) -> SessionStore:
        """Validate everything first; create the file only when all of it is right."""
        opd_name = clean_line(opd, "nama OPD", MAX_OPD).strip()
        if not opd_name:
            raise TpiError("Nama OPD wajib diisi.")
        if jenis not in JENIS_SESI:
            raise TpiError("Jenis sesi harus wawancara, verifikasi, atau desk.")
        roles = tuple(self.instrument.narasumber) or None
        meta = {
            "id": ulid(),
            "opd": {"nama": opd_name, "slug": slugify(opd_name)},
            "jenis": jenis,
            "tanggal": clean_date(tanggal),
            "target": clean_meta_field("target", target),
            "tempat": clean_meta_field("tempat", tempat),
            "jam_mulai": clean_time(jam_mulai, "jam mulai"),
            "jam_selesai": "",
            "dasar": clean_meta_field("dasar", dasar or {}),
            "tim": clean_meta_field("tim", tim or []),
            "narasumber": clean_meta_field("narasumber", narasumber or [], roles),
            "predikat_wbk": clean_meta_field("predikat_wbk", predikat_wbk),
        }
        folder = self.opd_dir(opd_name)
        path = folder / f"{meta['tanggal']}_{jenis}_{meta['id']}.json"
        from .store import SessionStore

        return SessionStore.create(path, meta, actor=actor or self.actor())

    def resolve(self, ref: str) -> Path:
        """A session by id, unique id prefix/suffix (>= 4 characters), or file path."""
        if not ref or not isinstance(ref, str):
            raise TpiError("Sebutkan sesi (ID atau sebagian ID).")
        candidate = Path(ref)
        if ref.endswith(".json") and candidate.is_file():
            return candidate.resolve()
        key = ref.strip().upper()
        if len(key) < 4:
            raise TpiError("ID sesi terlalu pendek: tulis paling sedikit 4 karakter.")
        matches = [p for p in self.session_files() if _id_of(p) == key]
        if not matches:
            matches = [p for p in self.session_files() if _id_of(p).startswith(key) or _id_of(p).endswith(key)]
        if not matches:
            raise TpiError(f"Sesi '{ref}' tidak ditemukan di {self.sessions_dir}.")
        if len(matches) > 1:
            raise TpiError(f"'{ref}' cocok dengan {len(matches)} sesi; tulis ID lebih lengkap.")
        return matches[0]

    def open(self, ref: str, *, readonly: bool = False, actor: str = "", wait: float | None = None) -> SessionStore:
        """``wait``: seconds a writer waits for the session's lock; default ``[penyimpanan] tunggu_kunci``.

        A window that can fall back to read-only passes ``wait=0`` and opens at once.
        """
        if wait is None:
            wait = 0.0 if readonly else self.config.tunggu_kunci
        from .store import SessionStore

        return SessionStore(self.resolve(ref), readonly=readonly, actor=actor or self.actor(), wait=wait)

    # -- the listing index ------------------------------------------------------------------
    def _read_index(self) -> dict:
        """The index's entries by relative path (empty when missing, damaged or of another version)."""
        try:
            text = (self.sessions_dir / INDEX).read_text(encoding="utf-8")
            index = jsonfile.loads(text, f"Berkas {INDEX}", shape_checked=True)  # every entry: _valid_entry
            if index.get("version") != INDEX_VERSION or not isinstance(index.get("sessions"), dict):
                raise ValueError
        except (OSError, ValueError, AttributeError, TpiError):  # only a cache: rebuilt by a listing
            return {}
        return index["sessions"]

    def cached_sessions(self) -> list[SessionSummary]:
        """The sessions as the index last saw them, without looking at the files (no stat of each).

        For a first screen that must appear at once: follow it with ``list_sessions`` (off the UI
        thread), which checks every file and brings the list up to date.
        """
        return _summaries(e for e in self._read_index().values() if _valid_entry(e))

    def index_plan(self) -> tuple[dict, list[tuple[str, Path, list[int]]], dict]:
        """(cached index entries, files needing a summary, files whose summary is current).

        Pass it to ``list_sessions(plan=...)`` to list without reading the folder twice.
        """
        cached = self._read_index()
        stale: list[tuple[str, Path, list[int]]] = []
        current: dict[str, dict] = {}
        for rel, st in self._scan():
            stamp = [st.st_mtime_ns, st.st_size]
            entry = cached.get(rel)
            if _valid_entry(entry) and entry["stamp"] == stamp:
                current[rel] = entry
            else:
                stale.append((rel, self.sessions_dir / rel, stamp))
        return cached, stale, current

    def list_sessions(self, opd: str | None = None, progress=None, plan=None) -> list[SessionSummary]:
        """Every session, summarised; cached in ``sessions/.index.json`` by (mtime, size).

        Saving an answer never touches the index: a listing re-reads only the files whose
        size or mtime changed since the index was written, so it can always be rebuilt.
        ``progress(done, total)`` is called while files are read (e.g. after a git pull).
        """
        cached, stale, fresh = plan if plan is not None else self.index_plan()
        fresh = dict(fresh)
        for n, (rel, path, stamp) in enumerate(stale, start=1):
            fresh[rel] = {"stamp": stamp, "summary": self._summarise(path, rel)}
            if progress is not None and (n % 50 == 0 or n == len(stale)):
                progress(n, len(stale))
        if stale or set(fresh) != set(cached):
            try:
                self.sessions_dir.mkdir(parents=True, exist_ok=True)
                payload = {"version": INDEX_VERSION, "sessions": fresh}
                write_atomic(
                    self.sessions_dir / INDEX, json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
                )
            except (TpiError, OSError):
                pass  # a read-only workspace still lists; the index is only a cache
        out = _summaries(fresh.values())
        return [s for s in out if _opd_matches(opd, s)] if opd else out

    def _summarise(self, path: Path, rel: str) -> dict:
        from .conflicts import list_conflicts

        inst = self.instrument
        try:
            tables = _load_for_summary(path)
            meta = tables["meta"]["1"]
            answers = tables.get("answers", {})
            from ..rules.scoring import score

            tpi = score(inst, answers, "tpi")
            unit = score(inst, answers, "unit")
            return SessionSummary(
                id=str(meta["id"]),
                path=rel,
                opd=str(meta.get("opd", {}).get("nama", "?")),
                opd_slug=str(meta.get("opd", {}).get("slug", path.parent.name)),
                tanggal=str(meta.get("tanggal", "")),
                jenis=str(meta.get("jenis", "")),
                target=str(meta.get("target", "")),
                status=str(meta.get("status", StatusSesi.DRAFT.value)),
                answered=len(inst.order) - len(tpi.unanswered),
                total_items=len(inst.order),
                nilai_tpi=round(tpi.total, 2),
                nilai_unit=round(unit.total, 2),
                konflik=len(list_conflicts(tables)),
            ).to_dict()
        except (TpiError, KeyError, TypeError, ValueError, AttributeError) as exc:
            return SessionSummary(
                id=_id_of(path),
                path=rel,
                opd=path.parent.name,
                opd_slug=path.parent.name,
                tanggal="",
                jenis="",
                target="",
                status="rusak",
                answered=0,
                total_items=len(inst.order),
                nilai_tpi=0.0,
                nilai_unit=0.0,
                error=str(exc) if isinstance(exc, TpiError) else f"Berkas sesi {path.name} rusak.",
            ).to_dict()

    def known_opds(self) -> list[str]:
        names = {str(o.get("nama")) for o in self.config.opd if o.get("nama")}
        names |= {s.opd for s in self.list_sessions() if not s.error}
        return sorted(names, key=str.lower)


# SessionSummary's fields and the JSON types each may hold ("float" also takes an int: 0 vs 0.0)
_SUMMARY_TYPES = {
    f.name: {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,)}.get(str(f.type), ())
    for f in fields(SessionSummary)
}
# The index is written with sorted keys: an entry as the app wrote it has exactly these value
# types in this order (a float that is whole, e.g. 0.0, reads back as a float too), checked at once.
_SUMMARY_KEYS = tuple(sorted(_SUMMARY_TYPES))
_SUMMARY_AS_WRITTEN = tuple(_SUMMARY_TYPES[k][-1] for k in _SUMMARY_KEYS)


def _summaries(entries) -> list[SessionSummary]:
    """Index entries as summaries, in the listing's order (OPD, date, id)."""
    out = [SessionSummary(**e["summary"]) for e in entries]
    out.sort(key=lambda s: (s.opd.lower(), s.tanggal, s.id))
    return out


def _valid_entry(entry: object) -> bool:
    """An index entry the listing can use as is: right keys, right types (else it is rebuilt).

    The index is a cache anyone can damage (a merge, a hand edit, an older version); an entry
    whose stamp matches but whose summary has a wrong type, an extra key or a None used to crash
    every listing until the file was deleted by hand.
    """
    if not isinstance(entry, dict) or set(entry) != {"stamp", "summary"}:
        return False
    stamp, summary = entry["stamp"], entry["summary"]
    if not (isinstance(stamp, list) and len(stamp) == 2 and all(type(x) is int for x in stamp)):
        return False
    if not isinstance(summary, dict):
        return False
    if tuple(summary) == _SUMMARY_KEYS and tuple(map(type, summary.values())) == _SUMMARY_AS_WRITTEN:
        return True  # the usual case, ~3x faster than the field-by-field check below
    if summary.keys() != _SUMMARY_TYPES.keys():
        return False
    return all(type(summary[k]) in types for k, types in _SUMMARY_TYPES.items())


def _load_for_summary(path: Path) -> dict:
    """Meta and answers only: the listing needs no event log, which is most of a file's bytes.

    The store writes one table per block in a fixed layout, and JSON strings cannot hold a raw
    newline, so the events block is cut out by its markers (5x faster on a complete session).
    Any other layout (an old or hand-edited file) is read whole.
    """
    from .storage import load_tables

    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return load_tables(path)  # the full reader words the error
    start = text.find('\n "events": {')
    end = text.find('\n "meta": {', start)
    if start < 0 or end < 0:
        return load_tables(path)
    try:
        data = jsonfile.loads(text[:start] + text[end:], f"Berkas sesi {path.name}", unique_keys=True)
    except (ValueError, TpiError):  # the full reader words the error
        return load_tables(path)
    if not isinstance(data, dict) or not isinstance(data.get("meta", {}).get("1"), dict):
        return load_tables(path)
    if data["meta"]["1"].get("schema") != SCHEMA_VERSION or not isinstance(data.get("answers", {}), dict):
        return load_tables(path)
    return data


def _opd_matches(wanted: str, s: SessionSummary) -> bool:
    """``--opd``: part of the OPD's name in any case ('dukcapil', 'kependudukan'), or of its slug."""
    text = " ".join(wanted.split()).casefold()
    if text in " ".join(s.opd.split()).casefold():
        return True
    try:
        return slugify(wanted) in s.opd_slug
    except TpiError:
        return False


def _id_of(path: Path) -> str:
    return path.stem.rsplit("_", 1)[-1].upper()


def find_workspace(explicit: str | Path | None = None, start: Path | None = None) -> Workspace:
    """--workspace, then TPI_WORKSPACE, then the nearest folder upward holding tpi.toml."""
    given = explicit or os.environ.get("TPI_WORKSPACE")
    if given:
        root = Path(given).expanduser()
        if not (root / CONFIG).is_file():
            raise TpiError(f"{root} bukan ruang kerja tpi (tidak ada {CONFIG}). Jalankan 'tpi init {root}'.")
        return Workspace(root)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG).is_file():
            return Workspace(folder)
    raise TpiError(
        "Ruang kerja tpi tidak ditemukan (tidak ada tpi.toml di folder ini atau di atasnya). "
        "Jalankan 'tpi init FOLDER' atau 'tpi demo', atau pakai --workspace."
    )


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
    tim: list[dict] | None = None,
    opd: list[dict] | None = None,
) -> str:
    def tables(name: str, rows: list[dict]) -> str:
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


# api/ holds the API's token hashes (server/tokens.py): local to the machine serving, never pushed
GITIGNORE = "*.lock\n.*.tmp-*\nsessions/.index.json\nout/\napi/\n"


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


def init_workspace(root: Path, config_text: str | None = None) -> Workspace:
    """Create a workspace folder (refusing to overwrite an existing tpi.toml)."""
    root = root.expanduser()
    if (root / CONFIG).exists():
        raise TpiError(f"{root} sudah berisi {CONFIG}; ruang kerja tidak ditimpa.")
    text = config_text or starter_config()
    try:
        root.mkdir(parents=True, exist_ok=True)
        for sub in ("sessions", "templates", "out"):
            (root / sub).mkdir(exist_ok=True)
        write_atomic(root / CONFIG, text.encode("utf-8"))
        if not (root / ".gitignore").exists():
            write_atomic(root / ".gitignore", GITIGNORE.encode())
    except OSError as exc:
        raise TpiError(f"Ruang kerja {root} tidak dapat dibuat: {os_reason(exc)}.") from None
    ws = Workspace(root)
    load_config(ws.config_path)  # validate what was written
    _copy_default_templates(ws)
    return ws


def default_templates_dir() -> Path:
    """The default templates: the top-level ``templates/`` of a checkout (editable install), or
    ``tpi_tui/templates/`` inside an installed wheel (pyproject maps the one onto the other)."""
    package = Path(__file__).resolve().parents[2]  # tpi_tui/
    for candidate in (package / "templates", package.parent / "templates"):
        if (candidate / "berita_acara.md.j2").is_file():
            return candidate
    raise TpiError(f"Templat bawaan tidak ditemukan (dicari di {package / 'templates'}); pasang ulang tpi-tui.")


def _copy_default_templates(ws: Workspace) -> None:
    """Copy the default templates so the TPI can adapt them (its copy overrides the default)."""
    source = default_templates_dir()
    if source.resolve() == ws.templates_dir.resolve():
        return  # the repository root is a workspace: its templates/ are the defaults
    for entry in sorted(source.iterdir()):
        if entry.is_file() and not (ws.templates_dir / entry.name).exists():
            write_atomic(ws.templates_dir / entry.name, entry.read_bytes())


def find_root(path: Path) -> Path | None:
    """The workspace holding ``path`` (nearest folder upward with tpi.toml)."""
    for folder in Path(path).resolve().parents:
        if (folder / "tpi.toml").is_file():
            return folder
    return None
