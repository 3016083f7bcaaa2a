"""Exchange formats: the LKE Excel (Lampiran III "LKE ZI" and PortalRB "Jawaban"), in and out.

Imports core only (never Textual). openpyxl is imported by ``xlsx_export`` at its top: only the
Excel export loads that module.
"""
