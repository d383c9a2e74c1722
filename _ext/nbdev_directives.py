"""Sphinx extension: honour nbdev's `#|` cell directives when Jupyter Book renders the notebooks.

The notebooks on disk stay exactly as nbdev wants them; each one is rewritten in memory on Sphinx's
`source-read` event, before myst-nb parses and executes it:

- every leading `#|` line is stripped from what the reader sees;
- `#| hide` and directive-only cells (`#| default_exp ...`) get the `remove-cell` tag (still executed);
- `#| eval: false` cells, and cells flagged with a test flag (`#| slow`, `#| gpu`) that is not switched on
  in the environment variable EVODIFF_BOOK_FLAGS (space separated), get `skip-execution`;
- cells that call `nbdev_export(` are removed and never executed;
- `#| echo: false` hides the input, `#| output: false` the output;
- `#| fig-cap: ...` (Quarto's caption directive) makes the cell's image a figure with that caption, which the
  chapter_numbers extension numbers per chapter.
"""
import json
import os
import re

_DIRECTIVE = re.compile(r'^\s*#\|\s?(.*)$')
TEST_FLAGS = ('slow', 'gpu')


def split_directives(source):
    "Split a code cell's `source` into (directive names with their arguments, remaining lines)."
    lines = source.splitlines()
    directives = []
    while lines and (_DIRECTIVE.match(lines[0]) or not lines[0].strip()):
        m = _DIRECTIVE.match(lines.pop(0))
        if m and m.group(1).strip():
            name, _, arg = m.group(1).strip().partition(' ')
            directives.append((name.rstrip(':').lower(), arg.strip()))
    return directives, '\n'.join(lines)


def tags_for(directives, body, flags_on):
    "The myst-nb tags implied by a cell's nbdev `directives` and its remaining `body`."
    names = {n for n, _ in directives}
    args = {name: arg.lower() for name, arg in directives}
    tags = []
    if 'nbdev_export(' in body: return ['remove-cell', 'skip-execution']
    if 'hide' in names or (directives and not body.strip()): tags.append('remove-cell')
    if args.get('eval') == 'false': tags.append('skip-execution')
    if any(f in names and f not in flags_on for f in TEST_FLAGS): tags.append('skip-execution')
    if args.get('echo') == 'false': tags.append('remove-input')
    if args.get('output') == 'false': tags.append('remove-output')
    return tags


def rewrite_notebook(text, flags_on=()):
    "Return the notebook JSON `text` with nbdev directives turned into myst-nb tags."
    nb = json.loads(text)
    for cell in nb.get('cells', []):
        if cell.get('cell_type') != 'code': continue
        source = ''.join(cell['source']) if isinstance(cell['source'], list) else cell['source']
        directives, body = split_directives(source)
        if not directives and 'nbdev_export(' not in body: continue
        meta = cell.setdefault('metadata', {})
        meta['tags'] = list(dict.fromkeys(meta.get('tags', []) + tags_for(directives, body, flags_on)))
        caption = dict(directives).get('fig-cap', '').strip('"\'')
        if caption: meta.setdefault('mystnb', {})['figure'] = {'caption': caption}
        cell['source'] = body
    return json.dumps(nb)


def _on_source_read(app, docname, source):
    if not app.env.doc2path(docname).endswith('.ipynb'): return
    flags_on = tuple(os.environ.get('EVODIFF_BOOK_FLAGS', '').split())
    source[0] = rewrite_notebook(source[0], flags_on)


def setup(app):
    app.connect('source-read', _on_source_read)
    return {'parallel_read_safe': True, 'parallel_write_safe': True, 'version': '1.0'}
