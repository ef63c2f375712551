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
        set("live-waiting", String(live.waiting));
        set("live-open", String(live.counters_open));
        set("live-paused", String(live.counters_paused));
        set("live-served", String(live.served));
        var list = document.getElementById("live-services");
        if (list) {
          list.textContent = "";
          live.services.forEach(function (s) {
            var li = document.createElement("li");
            var name = document.createElement("span");
            name.textContent = s.name;
            var n = document.createElement("strong");
            n.textContent = String(s.waiting);
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
