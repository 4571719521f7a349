// The sidebar buttons a reader can see (in the article header) did nothing: pydata-sphinx-theme
// 0.17.1 and sphinx-book-theme 1.3.0 bind their handlers to the first `.primary-toggle` /
// `.secondary-toggle` of the page, a copy in the hidden `#pst-header` (upstream
// pydata-sphinx-theme#2451). A click on a visible button is passed on to that bound copy, which
// opens the drawer on a phone and folds the sidebar on a desktop. Once the themes bind the visible
// button themselves, the first match is that button and this script does nothing.
document.addEventListener("DOMContentLoaded", () => {
  for (const side of ["primary", "secondary"]) {
    const bound = document.querySelector(`.${side}-toggle`);
    for (const button of document.querySelectorAll(`.bd-header-article .${side}-toggle`)) {
      if (!bound || button === bound) continue;
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        bound.click();
      });
    }
  }
});
