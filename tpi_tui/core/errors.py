"""The one exception type the user sees: its message is a complete Indonesian sentence."""

import errno


class TpiError(Exception):
    """An error caused by input or state the user can correct; ``str(e)`` is shown as is."""


class LockedError(TpiError):
    """Another process holds the session for writing."""


class ReadOnlyError(TpiError):
    """A write was attempted on a session opened read-only (locked elsewhere, or final)."""


def os_reason(exc: OSError) -> str:
    """Why an OS call failed, in Indonesian (never the English ``strerror``)."""

    reasons = {
        errno.ENOENT: "tidak ditemukan",
        errno.EACCES: "tidak ada izin",
        errno.EPERM: "tidak ada izin",
        errno.ENOSPC: "ruang disk penuh (atau inode habis)",
        errno.EDQUOT: "kuota disk habis",
        errno.EROFS: "sistem berkas hanya-baca",
        errno.EISDIR: "berupa folder, bukan berkas",
        errno.ENOTDIR: "bagian jalurnya bukan folder",
        errno.EEXIST: "sudah ada",
        errno.ENAMETOOLONG: "nama terlalu panjang",
        errno.ELOOP: "tautan simbolik berputar",
        errno.EIO: "galat baca/tulis perangkat disk",
        errno.EMFILE: "terlalu banyak berkas terbuka",
        errno.ENFILE: "terlalu banyak berkas terbuka",
        errno.EBUSY: "sedang dipakai",
        errno.ETXTBSY: "sedang dipakai",
        errno.EFBIG: "berkas terlalu besar",
        errno.ENOMEM: "memori tidak cukup",
        errno.ENOEXEC: "bukan program yang dapat dijalankan",
    }
    if exc.errno in reasons:
        return reasons[exc.errno]
    name = errno.errorcode.get(exc.errno or 0)
    return f"galat sistem {name}" if name else "galat sistem tak dikenal"
