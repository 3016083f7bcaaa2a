"""Exchange formats: the LKE Excel (Lampiran III "LKE ZI" and PortalRB "Jawaban"), in and out.

Imports core only (never Textual); openpyxl is imported inside the functions that need it.
"""
