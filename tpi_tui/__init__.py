"""tpi-tui: the Tim Penilai Internal's cockpit for Zona Integritas (WBK/WBBM) interviews."""

__version__ = "0.1.0"
