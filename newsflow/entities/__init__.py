"""The enrich stage's pure core: named entities, categories and keywords of an article.

`enrich` runs it. Entities come in layers: the gazetteer (`sources` merged into
`gazetteer`, matched by `matching` with the name forms of `forms`), a CRF tagger per
language (`tagger`, with `tagger_en` and `tagger_fa` for English and Persian features,
decoded by `crf` and its compiled Viterbi `_viterbi`), rules for Latin-script names
(`names_latin`); `ner` merges the layers' `spans`, and `coref` links mentions to one
entity each. Keywords and categories are computed in `enrich`; `tagger_training` trains
a model on a user's corpus. No Faust, no I/O beyond reading the shipped data.
"""
