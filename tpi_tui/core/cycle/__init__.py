"""The yearly cycle across OPDs: the basis session, the usulan list, rekap, afirmasi, the archive,
the PortalRB answers and the demo workspace."""
