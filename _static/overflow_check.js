// Used by the browser test: with ?check-overflow in the address, list the code blocks (cells and code in
// the prose, not printed output) that scroll sideways
// (their content is wider than their box) in <body data-overflow="...">.
window.addEventListener('load', function () {
  if (!window.location.search.includes('check-overflow')) return;
  var found = [];
  document.querySelectorAll('div.highlight pre').forEach(function (pre) {
    if (pre.closest('.cell_output, .output')) return;        // printed output is not code
    if (pre.scrollWidth > pre.clientWidth + 1) {
      var lines = pre.textContent.split('\n');
      var longest = lines.reduce(function (a, b) { return b.length > a.length ? b : a; }, '');
      found.push(longest.length + ':' + longest.trim().slice(0, 60));
    }
  });
  document.body.setAttribute('data-overflow', JSON.stringify(found));
  document.body.setAttribute('data-code-width', String(
    (document.querySelector('div.highlight pre') || {clientWidth: 0}).clientWidth));
});
