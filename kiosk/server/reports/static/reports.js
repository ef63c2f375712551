// The "today, now" strip: refreshed every 20 s from /reports/live.json (the rest of
// the page is server-rendered and works without this script).
(function () {
  "use strict";
  var strip = document.querySelector(".live");
  if (!strip) return;
  var lang = strip.getAttribute("data-lang") || "vi";
  function set(id, text) {
    var el = document.getElementById(id);
    if (el) el.textContent = text;
  }
  function refresh() {
    fetch("/reports/live.json?lang=" + encodeURIComponent(lang), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (live) {
        if (!live) return;
        // "shown": written by the server in the page's digits (Khmer in km), as the page was.
        var shown = live.shown;
        set("live-waiting", shown.waiting);
        set("live-longest", shown.longest);
        set("live-open", shown.counters_open);
        set("live-paused", shown.counters_paused);
        set("live-served", shown.served);
        var list = document.getElementById("live-services");
        if (list) {
          list.textContent = "";
          shown.services.forEach(function (s) {
            var li = document.createElement("li");
            var name = document.createElement("span");
            name.textContent = s.name;
            var n = document.createElement("strong");
            n.textContent = s.waiting;
            li.appendChild(name);
            li.appendChild(document.createTextNode(" "));
            li.appendChild(n);
            list.appendChild(li);
          });
        }
      })
      .catch(function () { /* offline for a moment: the next refresh catches up */ });
  }
  setInterval(refresh, 20000);
})();
