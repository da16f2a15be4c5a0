/* Display formulas fit the text column (listed in _config.yml, html_js_files).
 *
 * MathJax 3 does not break lines, and the book breaks its long formulas by hand (aligned) for the
 * desktop column. On a narrow screen a formula (display or inline) that is still wider than its
 * box is scaled down to the box's width (to no less than half its size) instead of being cut off
 * or scrolled; the browser test (tests/browser/test_site.py) fails on any formula wider than its
 * box.
 */
(function () {
  "use strict";
  var MIN_SCALE = 0.5;

  function contentWidth(element) {
    var style = getComputedStyle(element);
    return element.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  }

  function fit() {
    var boxes = document.querySelectorAll("main mjx-container");
    boxes.forEach(function (box) {
      box.style.fontSize = "";
      var math = box.querySelector("mjx-math");
      var display = box.getAttribute("display") === "true";
      var host = display ? box.closest("div.math") || box.parentElement
        : box.parentElement.closest("p, li, td, th, dd, dt, div, figcaption");
      if (!math || !host) return;
      var available = contentWidth(host) - 1;
      var width = math.getBoundingClientRect().width;
      if (width > available && width > 0) {
        var size = parseFloat(getComputedStyle(box).fontSize);
        box.style.fontSize = size * Math.max(MIN_SCALE, available / width) + "px";
      }
    });
  }

  function whenTypeset() {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
      MathJax.startup.promise.then(fit);
    } else {
      setTimeout(whenTypeset, 50);
    }
  }

  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(fit, 100);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", whenTypeset);
  } else {
    whenTypeset();
  }
})();
