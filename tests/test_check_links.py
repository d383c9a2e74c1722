"""tools/check_links.py, the offline check of the built book's internal links, on a small site with known faults."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location('check_links', ROOT / 'tools' / 'check_links.py')
check_links = importlib.util.module_from_spec(spec); spec.loader.exec_module(check_links)


def site(tmp_path: Path) -> Path:
    (tmp_path / 'sub').mkdir(); (tmp_path / '_static').mkdir()
    (tmp_path / '_static' / 'style.css').write_text('body {}')
    (tmp_path / 'index.html').write_text(
        '<html><head><link href="_static/style.css?v=1" rel="stylesheet"></head><body id="top">'
        '<a href="sub/page.html#eq-1">ok</a> <a href="#top">ok</a> <a href="sub/">ok, a folder</a>'
        '<a href="https://example.org/missing">external</a> <a href="mailto:x@y.z">mail</a>'
        '<img src="data:image/png;base64,AAAA"></body></html>')
    (tmp_path / 'sub' / 'index.html').write_text('<a href="../index.html">up</a>')
    (tmp_path / 'sub' / 'page.html').write_text('<span id="eq-1"></span><a name="old-style"></a>'
                                                '<a href="page.html#old-style">ok</a><a href="page%2Ehtml">ok, quoted</a>')
    return tmp_path


def test_a_clean_site_passes(tmp_path):
    checked, broken, visited = check_links.broken_links(site(tmp_path))
    assert broken == [] and checked == 7 and visited == 3


def test_each_fault_is_reported(tmp_path):
    root = site(tmp_path)
    (root / 'sub' / 'index.html').write_text('<a href="../index.html">up</a><a href="bad.html">faults</a>')
    (root / 'sub' / 'bad.html').write_text('<a href="../nowhere.html">1</a><a href="page.html#no-such-id">2</a>'
                                           '<img src="../_static/missing.png"><a href="#self-missing">4</a>')
    checked, broken, visited = check_links.broken_links(root)
    assert len(broken) == 4
    assert any('nowhere.html' in b and 'no file' in b for b in broken)
    assert any('no id "no-such-id"' in b for b in broken)
    assert any('missing.png' in b for b in broken)
    assert any('no id "self-missing"' in b for b in broken)
    assert check_links.main([str(root)]) == 1


def test_a_missing_build_is_named(tmp_path, capsys):
    assert check_links.main([str(tmp_path / 'nothing')]) == 2
    assert 'make book' in capsys.readouterr().err


def test_unlinked_templates_are_not_pages(tmp_path):
    "A theme's Jinja template under _static is not a page: no page links to it, so it is not checked."
    root = site(tmp_path)
    (root / '_static' / 'macros.html').write_text("<link href=\"{{ pathto('x.css', 1) }}\">")
    assert check_links.broken_links(root)[1] == []


def test_a_redirect_page_is_followed(tmp_path):
    "Jupyter Book's top-level index.html only redirects (meta refresh) to the first chapter."
    (tmp_path / 'book').mkdir()
    root = site(tmp_path / 'book')
    (root / 'index.html').rename(root / 'start.html')
    (root / 'index.html').write_text('<meta http-equiv="Refresh" content="0; url=start.html" />')
    checked, broken, visited = check_links.broken_links(root)
    assert broken == [] and visited == 4
