"""Sphinx extension: number equations per chapter, as (20.3) for the third numbered equation of chapter 20, and
figures likewise (Fig. 20.1).

The chapter number is the one the notebook's file name starts with (`nbs/20_information_theory` -> 20,
`nbs/14a_dpmsolver_v3` -> 14a); pages without one (the landing page) keep plain numbers. Sphinx numbers the labelled
equations of each page 1, 2, ... when `math_numfig` is off (it is, in `_config.yml`); this domain prefixes those
numbers with the chapter's, and both the equation's label and every `{eq}` reference to it show the prefixed number.
Figures (a cell's image with a `#| fig-cap:` caption, or a `{figure}`) are numbered by Sphinx through the whole book;
`number_figures` renumbers them per chapter, in page order, after Sphinx has.
"""
import re

from sphinx.domains.math import MathDomain

_CHAPTER = re.compile(r'(?:.*/)?0*(\d+[a-z]?)_')


def chapter_of(docname: str) -> str | None:
    "The chapter number in a page's name ('nbs/04_oracles' -> '4'), or None."
    m = _CHAPTER.match(docname)
    return m.group(1) if m else None


class ChapterMathDomain(MathDomain):
    "The math domain, with equation numbers prefixed by the chapter number."

    def note_equation(self, docname, labelid, location=None):
        super().note_equation(docname, labelid, location)
        chapter = chapter_of(docname)
        if chapter is not None:
            doc, number = self.equations[labelid]
            self.equations[labelid] = (doc, f'{chapter}.{number}')


def number_figures(app, env):
    "Renumber each chapter's figures (Sphinx numbers them through the book) as Fig. <chapter>.<k>."
    for docname, numbers in env.toc_fignumbers.items():
        chapter = chapter_of(docname)
        if chapter is None or not numbers.get('figure'): continue
        in_order = sorted(numbers['figure'], key=numbers['figure'].get)
        numbers['figure'] = {fig: (chapter, k) for k, fig in enumerate(in_order, 1)}
    return []


def setup(app):
    app.add_domain(ChapterMathDomain, override=True)
    app.connect('env-get-updated', number_figures, priority=900)   # after Sphinx's numbering
    return {'parallel_read_safe': True, 'parallel_write_safe': True, 'version': '1.0'}
