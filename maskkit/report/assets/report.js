// maskkit evaluation report: draws the image gallery from the embedded JSON and re-filters it; a click
// opens an image's panels large in a lightbox (Escape or a click outside closes it).
// State (class, score threshold, page, labels, boxes) lives in the URL hash so a view can be shared as a link.
(function () {
  "use strict";
  const DATA = JSON.parse(document.getElementById("report-data").textContent);
  const PAGE_SIZE = DATA.pageSize;
  const slider = document.getElementById("score-slider");
  const scoreOut = document.getElementById("score-value");
  const classSelect = document.getElementById("class-filter");
  const gallery = document.getElementById("gallery");
  const status = document.getElementById("gallery-status");
  const pageInfo = document.getElementById("page-info");
  const showLabels = document.getElementById("show-labels");
  const showBoxes = document.getElementById("show-boxes");
  const lightbox = document.getElementById("lightbox");
  const lightboxBody = document.getElementById("lightbox-body");
  const state = { cls: -1, score: DATA.score, page: 0, labels: true, boxes: true };

  function esc(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }
  function color(cls) {
    return "hsl(" + Math.round((cls * 137.508) % 360) + ", 85%, 50%)";
  }
  function fmt(value) {
    return value === null ? "n/a" : value.toFixed(3);
  }

  function readHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    if (params.has("score")) state.score = Math.min(1, Math.max(0, parseFloat(params.get("score")) || 0));
    if (params.has("class")) {
      const cls = parseInt(params.get("class"), 10);
      state.cls = cls >= 0 && cls < DATA.classes.length ? cls : -1;
    }
    if (params.has("page")) state.page = Math.max(0, parseInt(params.get("page"), 10) || 0);
    if (params.has("labels")) state.labels = params.get("labels") !== "0";
    if (params.has("boxes")) state.boxes = params.get("boxes") !== "0";
  }
  function writeHash() {
    const hash = "score=" + state.score.toFixed(2) + "&class=" + state.cls + "&page=" + state.page +
      "&labels=" + (state.labels ? 1 : 0) + "&boxes=" + (state.boxes ? 1 : 0);
    history.replaceState(null, "", "#" + hash);
  }

  // Ground truth [cls, box, path, crowd] and detections [cls, score, box, path, matched] in image pixels.
  function instance(cls, box, path, label, extraClass) {
    const c = color(cls);
    return '<g class="inst ' + extraClass + '" data-class="' + cls + '" style="color:' + c + '">' +
      (path ? '<path class="mask" d="' + path + '"/>' : "") +
      '<rect class="box" x="' + box[0] + '" y="' + box[1] + '" width="' + box[2] + '" height="' + box[3] + '"/>' +
      '<text class="label" x="' + box[0] + '" y="' + box[1] + '">' + esc(label) + "</text></g>";
  }
  function panel(img, body, caption, kind) {
    return '<figure class="panel ' + kind + '"><div class="frame"><img loading="lazy" src="' + esc(img.thumb) +
      '" alt="' + esc(img.name) + '"><svg viewBox="0 0 ' + img.w + " " + img.h +
      '" preserveAspectRatio="none">' + body + "</svg></div><figcaption>" + caption + "</figcaption></figure>";
  }
  function card(img) {
    const gts = img.gt.filter((g) => state.cls < 0 || g[0] === state.cls);
    const dts = img.dt.filter((d) => d[1] >= state.score && (state.cls < 0 || d[0] === state.cls));
    const gtSvg = gts.map((g) => instance(g[0], g[1], g[2], DATA.classes[g[0]] + (g[3] ? " (crowd)" : ""),
      g[3] ? "gt crowd" : "gt")).join("");
    const dtSvg = dts.map((d) => instance(d[0], d[2], d[3], DATA.classes[d[0]] + " " + d[1].toFixed(2),
      d[4] ? "det tp" : "det fp")).join("");
    return '<article class="card" data-image-id="' + img.id + '" data-ap="' + (img.ap === null ? "" : img.ap) +
      '" data-shown="' + dts.length + '"><header><span class="name" title="' + esc(img.name) + '"><bdi>' + esc(img.name) + '</bdi></span><span class="ap">AP ' +
      fmt(img.ap) + " · AP50 " + fmt(img.ap50) + "</span></header><div class=\"panels\">" +
      panel(img, gtSvg, "ground truth (" + gts.length + ")", "gt-panel") +
      panel(img, dtSvg, 'predictions (<span class="shown">' + dts.length + "</span> of " + img.dt.length + ")",
        "dt-panel") + "</div></article>";
  }

  // Labels keep about 11 screen pixels whatever the picture's size: size them in image pixels per panel.
  function sizeLabels(container) {
    container.querySelectorAll(".frame svg").forEach((svg) => {
      const perPixel = svg.viewBox.baseVal.width / Math.max(1, svg.clientWidth);
      const size = 11 * perPixel;
      svg.querySelectorAll("text.label").forEach((text) => {
        text.setAttribute("font-size", size.toFixed(2));
        text.setAttribute("stroke-width", (size / 6).toFixed(2));
        const rect = text.closest("g").querySelector("rect");
        const top = parseFloat(rect.getAttribute("y"));
        const width = 0.62 * size * text.textContent.length;  // about a bold sans-serif line's width
        const room = svg.viewBox.baseVal.width - width;
        text.setAttribute("x", Math.max(0, Math.min(parseFloat(rect.getAttribute("x")), room)).toFixed(1));
        text.setAttribute("y", (top - 2 * perPixel >= size ? top - 2 * perPixel : top + size).toFixed(1));
      });
    });
  }

  function render() {
    const images = DATA.images.filter((img) => state.cls < 0 ||
      img.gt.some((g) => g[0] === state.cls) || img.dt.some((d) => d[0] === state.cls && d[1] >= state.score));
    const pages = Math.max(1, Math.ceil(images.length / PAGE_SIZE));
    state.page = Math.min(state.page, pages - 1);
    const shown = images.slice(state.page * PAGE_SIZE, (state.page + 1) * PAGE_SIZE);
    gallery.innerHTML = shown.map(card).join("");
    document.body.classList.toggle("hide-labels", !state.labels);
    document.body.classList.toggle("hide-boxes", !state.boxes);
    sizeLabels(gallery);
    let detections = 0;
    gallery.querySelectorAll(".card").forEach((el) => { detections += parseInt(el.dataset.shown, 10); });
    slider.value = state.score.toFixed(2);
    scoreOut.textContent = state.score.toFixed(2);
    classSelect.value = String(state.cls);
    showLabels.checked = state.labels;
    showBoxes.checked = state.boxes;
    pageInfo.textContent = " page " + (state.page + 1) + " of " + pages + " ";
    status.textContent = images.length ? "images " + (state.page * PAGE_SIZE + 1) + "–" +
      (state.page * PAGE_SIZE + shown.length) + " of " + images.length + " · " + detections +
      " detections shown on this page" : "no image matches";
    status.dataset.images = String(images.length);
    status.dataset.detections = String(detections);
    writeHash();
  }

  slider.addEventListener("input", () => { state.score = parseFloat(slider.value); render(); });
  classSelect.addEventListener("change", () => { state.cls = parseInt(classSelect.value, 10); state.page = 0; render(); });
  document.getElementById("prev-page").addEventListener("click", () => { state.page = Math.max(0, state.page - 1); render(); });
  document.getElementById("next-page").addEventListener("click", () => { state.page += 1; render(); });
  showLabels.addEventListener("change", () => { state.labels = showLabels.checked; render(); });
  showBoxes.addEventListener("change", () => { state.boxes = showBoxes.checked; render(); });

  // The lightbox shows a copy of the clicked card's panels, each as tall as the window allows.
  function openLightbox(cardEl) {
    const svg = cardEl.querySelector(".frame svg").viewBox.baseVal;
    lightboxBody.innerHTML = cardEl.outerHTML;
    lightboxBody.firstElementChild.style.setProperty("--aspect", String(svg.width / Math.max(1, svg.height)));
    lightbox.hidden = false;
    document.body.classList.add("lightbox-open");
    sizeLabels(lightboxBody);
  }
  function closeLightbox() {
    lightbox.hidden = true;
    lightboxBody.innerHTML = "";
    document.body.classList.remove("lightbox-open");
  }
  gallery.addEventListener("click", (event) => {
    const frame = event.target.closest(".frame");
    if (frame) openLightbox(frame.closest(".card"));
  });
  lightbox.addEventListener("click", (event) => {
    if (event.target === lightbox || event.target.id === "lightbox-close") closeLightbox();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !lightbox.hidden) closeLightbox();
  });
  window.addEventListener("resize", () => { sizeLabels(gallery); if (!lightbox.hidden) sizeLabels(lightboxBody); });
  window.addEventListener("hashchange", () => { readHash(); render(); });
  readHash();
  render();
})();
