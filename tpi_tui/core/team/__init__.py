"""Work as a team: keys and signed sign-offs, the reviu lifecycle, independent verification, the
three-way merge driver and the git set-up."""
