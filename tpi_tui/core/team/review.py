"""Review lifecycle: draft -> review -> final, with tiered sign-offs that go stale by digest.

Tier 1 is the session's Ketua Tim, tier 2 its Pengendali Teknis (only after a valid tier-1
sign-off), as in BPS's TPI review. Each sign-off records who, when, and the session digest it
covered. A sign-off is *valid* while that digest equals ``store.digest()``: any change to the
content afterwards makes it stale without any caller having to remember to say so (the digest
leaves out the lifecycle fields, so signing does not invalidate itself).

With keys (``core/team/keys.py``) a sign-off also carries an Ed25519 signature over that digest;
once a name has a registered key, its sign-off counts only with a signature that checks out,
and it can be made only on a computer holding the private key.

Finalising needs both sign-offs valid; the core store then refuses content writes. Reopening
a final session needs a written reason, which goes into the event log (the event's reason) and
into ``meta.reopened``; the sign-offs it had are cleared so the session is reviewed again.
"""

from __future__ import annotations

from typing import Any

from ..errors import TpiError
from ..rules.meta import STATUS
from ..rules.policy import TIERS, Completeness, PeranTim, StatusSesi, completeness, name_matches
from ..session.chain import now_iso
from ..session.store import SessionStore
from ..text import clean_line
from .keys import check, registry_for, sign, signoff_valid

STATUS_LABEL = STATUS  # draft/review/final -> Draf / Dalam Reviu / Final


def _member(store: SessionStore, peran: str) -> dict[str, Any] | None:
    for person in store.meta.get("tim", []):
        if isinstance(person, dict) and person.get("peran") == peran:
            return person
    return None


_matches = name_matches  # the one signer-matching rule (core.rules.policy)


def signoff_state(store: SessionStore) -> list[dict[str, Any]]:
    """The recorded sign-offs in tier order, each with ``stale`` (digest no longer current, or a
    signature that does not check out against the workspace's registered keys) and ``kunci_status``."""

    current = store.digest()
    _, registry = registry_for(store.path)
    out: list[dict[str, Any]] = []
    for entry in store.meta.get("signoffs", []) or []:
        if not isinstance(entry, dict):
            continue
        out.append(
            {
                **entry,
                "stale": not signoff_valid(registry, store.id, entry, current),
                "kunci_status": check(registry, store.id, entry),
            }
        )
    out.sort(key=lambda e: TIERS.index(e["peran"]) if e.get("peran") in TIERS else len(TIERS))
    return out


def valid_signoffs(store: SessionStore) -> dict[str, dict[str, Any]]:
    """{peran: sign-off} for the sign-offs that still cover the current content."""
    return {s["peran"]: s for s in signoff_state(store) if not s["stale"]}


def is_final(store: SessionStore) -> bool:
    """Final *and* both sign-offs still match the content (a hand edit makes this False)."""
    valid = valid_signoffs(store)
    return store.meta.get("status") == StatusSesi.FINAL and all(t in valid for t in TIERS)


def needs_draft_mark(store: SessionStore) -> bool:
    """A Berita Acara made from this session must be marked DRAFT."""
    return not is_final(store)


def refuse_conflicts(store: SessionStore, what: str) -> None:
    """Sign-off and finalisation wait until every recorded merge conflict is resolved."""
    found = store.conflicts()
    if found:
        where = ", ".join(f"butir {c['item']}" if c["item"] is not None else "metadata" for c in found[:5])
        raise TpiError(
            f"{what} ditolak: masih ada {len(found)} konflik penggabungan ({where}). "
            "Selesaikan dahulu (lihat 'tpi conflicts')."
        )


def sign_off(store: SessionStore, name: str) -> dict[str, Any]:
    """Record ``name``'s sign-off at the next tier they hold; return the sign-off recorded."""
    if not isinstance(name, str) or not name.strip():
        raise TpiError("Sebutkan nama penanda tangan reviu (--as NAMA).")
    store.refresh()
    refuse_conflicts(store, "Tanda tangan reviu")
    status = store.meta.get("status", StatusSesi.DRAFT.value)
    if status == StatusSesi.FINAL:
        raise TpiError(
            "Sesi sudah final; reviu tidak diperlukan. Buka kembali (reopen) dengan alasan bila perlu diubah."
        )
    ketua, pengendali = _member(store, PeranTim.KETUA_TIM), _member(store, PeranTim.PENGENDALI_TEKNIS)
    valid = valid_signoffs(store)
    if _matches(ketua, name) and not (PeranTim.KETUA_TIM in valid and _matches(pengendali, name)):
        person, peran = ketua, PeranTim.KETUA_TIM
    elif _matches(pengendali, name):
        person, peran = pengendali, PeranTim.PENGENDALI_TEKNIS
        if PeranTim.KETUA_TIM not in valid:
            raise TpiError(
                "Pengendali Teknis baru dapat menandatangani sesudah Ketua Tim menandatangani isi yang sama"
                + (
                    " (tanda tangan Ketua Tim tidak berlaku lagi karena isi berubah)."
                    if _has(store, PeranTim.KETUA_TIM)
                    else "."
                )
            )
    else:
        if ketua is None and pengendali is None:
            raise TpiError("Sesi ini belum mencatat Ketua Tim maupun Pengendali Teknis; lengkapi tim TPI dahulu.")
        names = [f"{p['nama']} ({p['peran']})" for p in (ketua, pengendali) if p]
        shown = "".join(c if c.isprintable() else "?" for c in name.strip()[:60])
        raise TpiError(f"'{shown}' bukan Ketua Tim atau Pengendali Teknis sesi ini ({'; '.join(names)}).")
    assert person is not None
    if peran in valid:
        raise TpiError(f"{peran} sudah menandatangani isi sesi yang sama; tidak ada yang perlu ditandatangani ulang.")
    entry = {"peran": peran, "nama": person["nama"], "ts": now_iso(), "digest": store.digest()}
    if person.get("nip"):
        entry["nip"] = person["nip"]

    root, _ = registry_for(store.path)
    entry.update(sign(root, store.id, entry))  # refuses a keyed name without its private key
    kept = [s for s in store.meta.get("signoffs", []) or [] if isinstance(s, dict) and s.get("peran") != peran]
    if peran == PeranTim.KETUA_TIM:  # a new tier-1 signature restarts the chain of tiers above it
        kept = []
    changes: dict[str, Any] = {"signoffs": kept + [entry]}
    if status != StatusSesi.REVIEW:
        changes["status"] = StatusSesi.REVIEW.value
    store.set_lifecycle(changes, reason=f"reviu {peran}: {person['nama']}")
    return entry


def _has(store: SessionStore, peran: str) -> bool:
    return any(isinstance(s, dict) and s.get("peran") == peran for s in store.meta.get("signoffs", []) or [])


def gaps(store: SessionStore) -> Completeness:
    """Unanswered items and differences without alasan (core.rules.policy): the finalize gate's reasons."""
    # list(): policy.completeness is annotated list[int] though it only iterates (Instrument.order is a tuple)
    return completeness(list(store.instrument.order), store.answers)


OVERRIDE_HINT = "tpi finalize SESI --meski-belum-lengkap --reason TEKS"
OVERRIDE_MIN = 5  # characters of a finalize-override reason


def finalize(store: SessionStore, override_reason: str | None = None) -> dict[str, Any]:
    """Lock the session; both sign-offs must cover the current content.

    The gate: while items are unanswered or a TPI answer differs from the unit's without an
    alasan, finalising is refused with the counts and the first items — unless
    ``override_reason`` is given (at least 5 characters). The override is then recorded in
    ``meta.finalize_override`` (an event with that reason) and printed in the Berita Acara.
    """
    store.refresh()
    status = store.meta.get("status", StatusSesi.DRAFT.value)
    if status == StatusSesi.FINAL:
        raise TpiError("Sesi sudah final.")
    refuse_conflicts(store, "Finalisasi")
    valid = valid_signoffs(store)
    missing: list[str] = []
    for peran in TIERS:
        if peran not in valid:
            missing.append(
                f"{peran} ({'tidak berlaku lagi: isi berubah sesudah ditandatangani' if _has(store, peran) else 'belum ada'})"
            )
    if missing:
        raise TpiError("Sesi belum dapat difinalkan; tanda tangan reviu kurang: " + "; ".join(missing) + ".")
    found = gaps(store)
    override = None
    if override_reason is not None:
        text = clean_line(override_reason, "alasan finalisasi").strip()
        if len(text) < OVERRIDE_MIN:
            raise TpiError(
                f"Alasan finalisasi meski penilaian belum lengkap wajib ditulis (paling sedikit {OVERRIDE_MIN} karakter)."
            )
        if not found.complete:
            override = {
                "ts": now_iso(),
                "who": store.actor,
                "reason": text,
                "unanswered": len(found.unanswered),
                "tanpa_alasan": len(found.tanpa_alasan),
                "ringkasan": "; ".join(found.problems()),
            }
    elif not found.complete:
        raise TpiError(
            f"Sesi belum dapat difinalkan. {found.message()} Lengkapi dahulu, atau finalkan dengan alasan: {OVERRIDE_HINT}."
        )
    if override is not None:
        store.set_lifecycle(
            {"status": StatusSesi.FINAL.value, "finalize_override": override},
            reason=f"finalisasi meski belum lengkap: {override['reason']}",
        )
    else:
        store.set_lifecycle(
            {"status": StatusSesi.FINAL.value, "finalize_override": None},
            reason="finalisasi sesudah reviu Ketua Tim dan Pengendali Teknis",
        )
    return {"status": StatusSesi.FINAL.value, "digest": store.digest(), "finalize_override": override}


def reopen(store: SessionStore, reason: str) -> dict[str, Any]:
    """final -> draft; the reason is required and goes into the event log and ``meta.reopened``."""
    if store.meta.get("status") != StatusSesi.FINAL:
        raise TpiError("Hanya sesi yang sudah final yang dapat dibuka kembali.")
    text = clean_line(reason, "alasan membuka kembali").strip()
    if len(text) < 5:
        raise TpiError("Alasan membuka kembali sesi wajib ditulis (paling sedikit 5 karakter).")
    record: dict[str, Any] = {
        "ts": now_iso(),
        "who": store.actor,
        "reason": text,
        "digest": store.digest(),
        "signoffs": [s for s in store.meta.get("signoffs", []) or [] if isinstance(s, dict)],
    }
    if isinstance(store.meta.get("finalize_override"), dict):
        record["finalize_override"] = store.meta["finalize_override"]
    history = [r for r in store.meta.get("reopened", []) or [] if isinstance(r, dict)]
    store.set_lifecycle(
        {"status": StatusSesi.DRAFT.value, "signoffs": [], "reopened": history + [record], "finalize_override": None},
        reason=text,
    )
    return record
