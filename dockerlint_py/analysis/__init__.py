"""Analyses over the resolved model (``dockerlint_py.model``: the syntax and its resolution —
Dockerfile lexing, words, the shell and command models, stages, ARG/ENV, USER): the install plan
(``plan/``), OS packages per stage (``ospkg``), source builds and wheels (``builds``), and what
the image is for (``role``). The model owns their caches; rules read both."""
