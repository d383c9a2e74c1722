#!/usr/bin/env bash
# Fetch MathJax from the npm registry into $2 (default _mathjax/mathjax) so the book renders math offline.
# Only the es5 build is kept, minus the speech-rule engine and the SVG output (about 8 MB left).
set -euo pipefail
version=${1:-3.2.2}
dest=${2:-_mathjax/mathjax}
command -v npm >/dev/null || { echo "fetch_mathjax: npm not found; install Node.js/npm to fetch MathJax $version" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "mathjax@$version" --silent >/dev/null && tar xzf "mathjax-$version.tgz")
rm -rf "$tmp/package/es5/sre" "$tmp/package/es5/output/svg" "$tmp/package/es5/output/svg.js"
rm -f "$tmp"/package/es5/*svg*.js "$tmp"/package/es5/*full*.js
mkdir -p "$dest"
rm -rf "$dest/es5"
mv "$tmp/package/es5" "$dest/es5"
echo "MathJax $version -> $dest/es5 ($(du -sh "$dest/es5" | cut -f1))"
