"""The Textual cockpit. Importing this package imports Textual; core never imports it."""
