/* Site search on /search/: reads ?q= (and ?category=), queries the static Pagefind index under
   the site's base path and lists the results. Without JavaScript the page keeps its plain
   GET form and the links to the lists. No request leaves the site. */
(function () {
  "use strict";
  var form = document.querySelector("[data-search]");
  if (!form) return;
  var input = form.querySelector("input[name=q]");
  var select = form.querySelector("select[name=category]");
  var status = document.querySelector("[data-search-status]");
  var list = document.querySelector("[data-search-results]");
  var pagefind = null;
  var latest = 0;

  function text(name, q, n) {
    return form.getAttribute("data-text-" + name).replace("{q}", q).replace("{n}", String(n));
  }

  function load() {
    if (!pagefind) {
      pagefind = import(form.getAttribute("data-pagefind") + "pagefind.js").then(function (module) {
        return module.options({ baseUrl: form.getAttribute("data-base") }).then(function () { return module; });
      });
    }
    return pagefind;
  }

  /* Pagefind's excerpts are text with <mark> around the matches: keep only those two. */
  function excerpt(html) {
    var template = document.createElement("template");
    var out = document.createDocumentFragment();
    template.innerHTML = html;
    template.content.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.appendChild(mark);
      } else {
        out.appendChild(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  function show(q, results) {
    list.textContent = "";
    results.forEach(function (data) {
      var item = document.createElement("li");
      item.className = "search-result";
      var heading = document.createElement("h2");
      heading.className = "search-result-title";
      var link = document.createElement("a");
      link.href = data.url;
      link.textContent = (data.meta && data.meta.title) || data.url;
      heading.appendChild(link);
      var summary = document.createElement("p");
      summary.className = "search-result-excerpt";
      summary.appendChild(excerpt(data.excerpt || ""));
      item.appendChild(heading);
      item.appendChild(summary);
      list.appendChild(item);
    });
    list.hidden = results.length === 0;
    status.textContent = results.length ? text("results", q, results.length) : text("none", q, 0);
  }

  function run() {
    var q = input.value.trim();
    var category = select ? select.value : "";
    var ticket = ++latest;
    if (!q) {
      list.hidden = true;
      list.textContent = "";
      status.textContent = "";
      return;
    }
    status.textContent = text("loading", q, 0);
    var options = {};
    if (category) {
      options.filters = {};
      options.filters[form.getAttribute("data-filter-key")] = category;
    }
    load().then(function (module) {
      return module.search(q, options);
    }).then(function (search) {
      return Promise.all(search.results.slice(0, 50).map(function (result) { return result.data(); }));
    }).then(function (results) {
      if (ticket === latest) show(q, results);
    }).catch(function () {
      if (ticket === latest) status.textContent = text("error", q, 0);
    });
  }

  function remember() {
    var params = new URLSearchParams();
    params.set("q", input.value.trim());
    if (select && select.value) params.set("category", select.value);
    history.replaceState(null, "", "?" + params.toString());
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    remember();
    run();
  });
  if (select) {
    select.addEventListener("change", function () {
      if (input.value.trim()) { remember(); run(); }
    });
  }
  var params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  if (select && params.get("category")) select.value = params.get("category");
  if (input.value) run();
})();
