"""The pure core: parsing, dates, entities, routing and storage, with no Faust imports."""
