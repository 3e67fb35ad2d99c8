"""The analysts' web app of `kg serve`: search, entity pages, canned-query forms, landscape, graph and SPARQL."""
