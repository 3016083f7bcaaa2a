"""Domain core: instrument, answers, scoring, session store, workspace.

Imports neither Textual nor Rich (a test checks this in a subprocess), so the CLI, the
Berita Acara renderer and the tests can use everything here headless.
"""
