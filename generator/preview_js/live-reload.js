// The live-reload client of `katsudo serve`, served at /__katsudo/live.js. The preview server
// adds it to each HTML page as it serves it (never to what `katsudo build` writes) as
//   <script src="/__katsudo/live.js" data-build="N" defer></script>
// where data-build is the number of the build the page was read from (0 before the first good
// build). It is the script's only input from the server.
(function () {
  "use strict";
  var script = document.currentScript;
  var build = Number(script && script.getAttribute("data-build"));
  var overlay = null;
  function hide() { if (overlay) { overlay.remove(); overlay = null; } }
  function show(errors) {
    hide();
    overlay = document.createElement("div");
    overlay.id = "katsudo-error-overlay";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,20,.92);" +
      "color:#fff;font:16px/1.6 system-ui,sans-serif;padding:2rem";
    var title = document.createElement("h2");
    title.textContent = "ビルドできませんでした / The site could not be rebuilt";
    title.style.cssText = "margin:0 0 1rem;font-size:1.4rem;color:#ffb4a8";
    overlay.appendChild(title);
    var note = document.createElement("p");
    note.textContent = "前回の正しいページを表示しています。ファイルを直して保存すると、自動で再読み込みします。" +
      " (Showing the last good build; fix the file and save, and this page reloads.)";
    overlay.appendChild(note);
    errors.forEach(function (error) {
      var pre = document.createElement("pre");
      pre.style.cssText = "white-space:pre-wrap;background:#000;padding:1rem;border-left:4px solid #ff7b6b";
      pre.textContent = error;
      overlay.appendChild(pre);
    });
    document.body.appendChild(overlay);
  }
  function swapStyles(version) {
    // The new sheet is added beside the old one, which goes once the new one has loaded:
    // the page never shows unstyled for a moment.
    // Sheets from elsewhere (web fonts) are left alone, and so is a sheet already being replaced.
    document.querySelectorAll('link[rel="stylesheet"]:not([data-katsudo-replaced])').forEach(function (link) {
      var url = new URL(link.href);
      if (url.origin !== location.origin) { return; }
      url.searchParams.set("katsudo", version);
      var fresh = link.cloneNode();
      link.setAttribute("data-katsudo-replaced", "");
      fresh.href = url.toString();
      fresh.addEventListener("load", function () { link.remove(); });
      fresh.addEventListener("error", function () { link.remove(); });
      link.after(fresh);
    });
  }
  // What the page knows of the preview (also lets a test see that the page is listening).
  var live = window.katsudoLive = { connected: false, build: build };
  function receive(event, state) {
    live.connected = true;
    if (event === "state") {
      if (state.errors.length) { show(state.errors); }
      else if (state.build !== build) { location.reload(); }
      else { hide(); }
    } else if (event === "reload") {
      location.reload();
    } else if (event === "css") {
      build = live.build = state.build;
      hide();
      swapStyles(state.build);
    } else if (event === "failed") {
      show(state.errors);
    } else if (event === "search") {
      // A newer search index: a search page shows its results again from it, unless the
      // reader is typing a query not yet searched for.
      var form = document.querySelector("[data-search]");
      var input = form && form.querySelector("input[name=q]");
      var asked = new URLSearchParams(location.search).get("q") || "";
      if (input && input.value.trim() && input.value.trim() === asked.trim()) { location.reload(); }
    }
  }
  // One event stream for all open pages, held by a shared worker: a browser opens at most six
  // connections to one host, and a stream per tab would leave a seventh tab loading forever.
  if (window.SharedWorker) {
    try {
      var worker = new SharedWorker("/__katsudo/worker.js", { name: "katsudo-live-reload" });
      worker.port.onmessage = function (message) { receive(message.data.event, message.data.state); };
      worker.port.start();
      return;
    } catch (error) { /* fall back to a stream of this page's own */ }
  }
  if (!window.EventSource) { return; }
  var source = new EventSource("/__katsudo/events");
  ["state", "reload", "css", "failed", "search"].forEach(function (name) {
    source.addEventListener(name, function (event) { receive(name, JSON.parse(event.data)); });
  });
})();
