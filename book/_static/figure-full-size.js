// A figure wider than the column is shrunk to fit it, and its text with it: on a 390-px phone a
// three-panel figure's axis labels are 3-4 px tall. Every figure a notebook drew is stored at twice
// its size (booktools/figure_text.py), so tapping it opens that image alone, full size, where the
// reader can read it and pinch-zoom without blur. Sphinx already links the figures it scales to
// their image; this links the others too and gives every such link the same tooltip.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".cell_output img").forEach(function (image) {
    let link = image.closest("a");
    if (!link) {
      link = document.createElement("a");
      link.href = image.getAttribute("src");
      image.parentNode.insertBefore(link, image);
      link.appendChild(image);
    }
    link.classList.add("figure-full-size");
    link.title = "Open the figure full size";
  });
});
