"""Check every internal link of the built book: each href/src names a file that exists, and each #anchor an id in it.

    python tools/check_links.py _build/html        # exit 1 and one line per broken link if any

It replaces linkchecker, which drops root privileges to `nobody` and then cannot read a build in a private folder.
External links (http, https, mailto, data, javascript) are not followed: the book builds and is checked offline.
"""
import argparse
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

LINK_ATTRS = {'href', 'src'}
EXTERNAL = ('http', 'https', 'mailto', 'data', 'javascript', 'ftp', 'tel')


class _Page(HTMLParser):
    "Collects the ids (anchors) a page defines and the links it makes."
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.links = set(), []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == 'meta' and (found.get('http-equiv') or '').lower() == 'refresh':   # a redirect page
            url = (found.get('content') or '').partition('url=')[2].strip()
            if url: self.links.append(('meta', url))
        for name, value in attrs:
            if name == 'id' or (tag == 'a' and name == 'name'): self.ids.add(value)
            elif name in LINK_ATTRS and value is not None: self.links.append((tag, value.strip()))


def parse(path: Path) -> _Page:
    page = _Page(); page.feed(path.read_text(encoding='utf-8', errors='replace')); return page


def broken_links(root: Path, start: str = 'index.html') -> tuple[int, list[str], int]:
    """(links checked, broken links as 'page: link (why)', pages visited), crawling the pages reachable from
    `start` as a reader (and linkchecker) would: templates and other files no page links to are not pages."""
    root, pages, checked, broken = Path(root).resolve(), {}, 0, []
    def page(p):
        if p not in pages: pages[p] = parse(p)
        return pages[p]
    todo, seen = [root / start], {root / start}
    while todo:
        html = todo.pop()
        for tag, link in page(html).links:
            parts = urlsplit(link)
            if parts.scheme in EXTERNAL or parts.netloc or not link: continue
            checked += 1
            target = (html.parent / unquote(parts.path)).resolve() if parts.path else html
            where = f'{html.relative_to(root)}: <{tag}> {link}'
            if target.is_dir(): target = target / 'index.html'
            if not target.is_file(): broken.append(f'{where} (no file {target})'); continue
            if root not in target.parents: broken.append(f'{where} (outside the build)'); continue
            if target.suffix == '.html':
                if parts.fragment and unquote(parts.fragment) not in page(target).ids:
                    broken.append(f'{where} (no id "{parts.fragment}" in {target.relative_to(root)})')
                if tag in ('a', 'meta') and target not in seen: seen.add(target); todo.append(target)
    return checked, broken, len(seen)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('root', nargs='?', default='_build/html', help='the built HTML (default: _build/html)')
    root = Path(ap.parse_args(argv).root)
    if not (root / 'index.html').is_file():
        print(f'check_links: no built book at {root} (no index.html); run `make book` first', file=sys.stderr)
        return 2
    checked, broken, visited = broken_links(root)
    for line in broken: print(line)
    print(f'{checked} internal links in {visited} pages reachable from index.html, {len(broken)} broken')
    return 1 if broken else 0


if __name__ == '__main__':
    sys.exit(main())
