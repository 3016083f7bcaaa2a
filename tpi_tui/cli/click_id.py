"""click's own messages in Indonesian: one translation table, installed where click looks them up.

click marks every user-facing sentence for gettext (``from gettext import gettext as _`` in each
of its modules) and formats the translated template with its own values. ``install`` points
those module-level ``_``/``ngettext`` names at this table, so every message click makes (types,
ranges, paths, missing and unknown parameters, usage lines) is Indonesian at the source, with
click's values filled in; a sentence not in the table stays as click wrote it (the
``test_click_messages`` test lists click's catalogue and fails on any user-facing one missing).
"""

from __future__ import annotations

import sys

import click  # noqa: F401 - its modules below are loaded by it

# msgid -> Indonesian template (same replacement fields; !r may be dropped where quotes read badly)
MESSAGES: dict[str, str] = {
    # exceptions
    "Missing argument": "Argumen wajib tidak ada",
    "Missing option": "Opsi wajib tidak ada",
    "Missing parameter": "Parameter wajib tidak ada",
    "Missing {param_type}": "{param_type} wajib tidak ada",
    "Missing parameter: {param_name}": "Parameter wajib tidak ada: {param_name}",
    "Invalid value for {param_hint}: {message}": "Nilai tidak sah untuk {param_hint}: {message}",
    "Invalid value: {message}": "Nilai tidak sah: {message}",
    "No such option {name!r}.": "Opsi tidak dikenal: {name}.",
    "No such command {name!r}.": "Perintah tidak dikenal: '{name}'.",
    "Did you mean {possibility}?": "Mungkin maksud Anda {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(mungkin maksud Anda salah satu dari: {possibilities})",
    "Could not open file {filename!r}: {message}": "Berkas '{filename}' tidak dapat dibuka: {message}",
    "Error: {message}": "Galat: {message}",
    "Try '{command} {option}' for help.": "Lihat '{command} {option}'.",
    "unknown error": "galat tak dikenal",
    # core / parser
    "Missing command.": "Perintah tidak disebut.",
    "Got unexpected extra argument ({args})": "Argumen berlebih: {args}",
    "Got unexpected extra arguments ({args})": "Argumen berlebih: {args}",
    "Value must be an iterable.": "Nilai harus berupa daftar.",
    "Takes {nargs} values but 1 was given.": "Memerlukan {nargs} nilai, tetapi hanya 1 diberikan.",
    "Takes {nargs} values but {len} were given.": "Memerlukan {nargs} nilai, tetapi {len} diberikan.",
    "Option {name!r} does not take a value.": "Opsi {name} tidak menerima nilai.",
    "Option {name!r} requires an argument.": "Opsi {name} memerlukan nilai.",
    "Option {name!r} requires {nargs} arguments.": "Opsi {name} memerlukan {nargs} nilai.",
    "Argument {name!r} takes {nargs} values.": "Argumen {name} memerlukan {nargs} nilai.",
    "Invalid start character for option ({option})": "Awalan opsi tidak sah ({option})",
    "Aborted!": "Dibatalkan.",
    "deprecated": "usang",
    "(dynamic)": "(dinamis)",
    "env var: {var}": "variabel lingkungan: {var}",
    "default: {default}": "bawaan: {default}",
    "required": "wajib",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}": "Peringatan: perintah {name!r} sudah usang.{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}": "Peringatan: {param_type} {name!r} sudah usang.{extra_message}",
    # help
    "Usage:": "Penggunaan:",
    "Options": "Opsi",
    "Commands": "Perintah",
    "Positional arguments": "Argumen",
    "Show this message and exit.": "Menampilkan bantuan ini lalu keluar.",
    "Show the version and exit.": "Menampilkan versi lalu keluar.",
    "%(prog)s, version %(version)s": "%(prog)s, versi %(version)s",
    "Confirm the action without prompting.": "Mengonfirmasi tindakan tanpa bertanya.",
    "Do you want to continue?": "Lanjutkan?",
    # types
    "file": "berkas",
    "directory": "folder",
    "path": "jalur",
    "Choose from:\n\t{choices}": "Pilihan:\n\t{choices}",
    "{value!r} is not {choice}.": "{value!r} bukan {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} bukan salah satu dari {choices}.",
    "{value!r} does not match the format {format}.": "{value!r} tidak sesuai format {format}.",
    "{value!r} does not match the formats {formats}.": "{value!r} tidak sesuai format {formats}.",
    "{value} is not in the range {range}.": "{value} di luar rentang yang diterima ({range}).",
    "{value!r} is not a valid boolean. Recognized values: {states}": "{value!r} bukan nilai ya/tidak yang sah. Yang dikenal: {states}",
    "{len_type} values are required, but {len_value} was given.": "{len_type} nilai diperlukan, tetapi {len_value} diberikan.",
    "{len_type} values are required, but {len_value} were given.": "{len_type} nilai diperlukan, tetapi {len_value} diberikan.",
    "{value!r} is not a valid {number_type}.": "{value!r} bukan {number_type} yang sah.",
    "{value!r} is not a valid UUID.": "{value!r} bukan UUID yang sah.",
    "{name} {filename!r} is a file.": "{name} '{filename}' adalah berkas, bukan folder.",
    "{name} {filename!r} is a directory.": "{name} '{filename}' adalah folder, bukan berkas.",
    "{name} {filename!r} is not readable.": "{name} '{filename}' tidak dapat dibaca.",
    "{name} {filename!r} is not writable.": "{name} '{filename}' tidak dapat ditulisi.",
    "{name} {filename!r} is not executable.": "{name} '{filename}' tidak dapat dijalankan.",
    "{name} {filename!r} does not exist.": "{name} '{filename}' tidak ada.",
    # prompts (termui)
    "Repeat for confirmation": "Ulangi untuk konfirmasi",
    "Error: The two entered values do not match.": "Galat: kedua nilai yang dimasukkan tidak sama.",
    "Error: invalid input": "Galat: masukan tidak sah",
    "Press any key to continue...": "Tekan tombol apa saja untuk melanjutkan...",
}

# Words click inserts into a template itself (a ParamType's name, also its help metavar, so it is
# not renamed): replaced in the finished sentence by ``common.id_usage``.
TYPE_WORDS = {"integer": "bilangan bulat", "float": "angka"}

# Sentences for developers (bad decorator use) or shells, never a user's typing: left in English.
DEVELOPER_ONLY = frozenset(
    {
        "d",
        "Could not determine name for option with declarations {decls!r}",
        "No options defined but a name was passed ({name}). Did you mean to declare an argument instead? "
        "Did you mean to pass '--{name}'?",
        "Arguments take exactly one parameter declaration, got {length}: {decls}.",
        "Name '{name}' defined twice",
        "Boolean option {decl!r} cannot use the same flag for true/false.",
        "Choice({choices})",
        "Couldn't detect Bash version, shell completion is not supported.",
        "Shell completion is not supported for Bash versions older than 4.4.",
        "Unknown color {colour!r}",
        "Unknown standard stream '{name}'",
        "{editor}: Editing failed",
        "{editor}: Editing failed: {e}",
        "Windows error: {error}",
    }
)

# click's modules that word messages for users; all are imported by ``import click`` itself
# (``shell_completion`` and ``_termui_impl`` are imported on demand and word only shell/editor
# failures, listed in DEVELOPER_ONLY), so nothing is imported here that click did not.
MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui", "utils")


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


def install() -> None:
    """Point click's message lookups at the table (idempotent; click's own values still fill it)."""
    for name in MODULES:
        mod = sys.modules.get(f"click.{name}")
        if mod is None:
            continue
        # setattr: the names are click's module globals, not part of its typed interface
        for attr, lookup in (("_", gettext), ("ngettext", ngettext)):
            if hasattr(mod, attr):
                setattr(mod, attr, lookup)
