"""The LKE's rules: the instrument, answer values and the dijawab transition, scoring and the
verdict, the syarat, the session metadata and Berita Acara fields. Pure: no files, no clock."""
