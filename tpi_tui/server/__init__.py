"""The PortalRB integration API (Panduan Teknis API Integrasi ZI 2026), read-only over core."""
