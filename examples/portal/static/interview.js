/* Live interview page: follows the server-sent events of /hudong/fangtan/{id}/live and
   appends new transcript entries. Text is inserted with textContent only. Without
   JavaScript (or EventSource) the page reloads itself instead. */
(function () {
  "use strict";
  var list = document.getElementById("iv-transcript");
  if (!list || !window.EventSource) { return; }
  var src = list.getAttribute("data-live");
  if (!src) { return; }
  var after = parseInt(list.getAttribute("data-after") || "0", 10) || 0;
  // JavaScript follows the stream: stop the no-script reload.
  var refresh = document.querySelector('meta[http-equiv="refresh"]');
  if (refresh && refresh.parentNode) { refresh.parentNode.removeChild(refresh); }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text) { e.textContent = text; }
    return e;
  }

  function append(entry) {
    if (typeof entry.seq !== "number" || entry.seq <= after) { return; }
    after = entry.seq;
    var li = el("li", "iv-entry iv-" + entry.kind);
    li.id = "iv-entry-" + entry.seq;
    li.setAttribute("data-seq", String(entry.seq));
    if (entry.question) {
      var p = el("p", "iv-asked");
      p.appendChild(el("strong", "", entry.asked || ""));
      p.appendChild(document.createTextNode(entry.question));
      li.appendChild(p);
    }
    var div = el("div", entry.question ? "ix-text ix-reply" : "ix-text");
    div.appendChild(el("strong", "", entry.head || ""));
    div.appendChild(document.createTextNode(entry.text || ""));
    li.appendChild(div);
    list.appendChild(li);
    var empty = document.getElementById("iv-empty");
    if (empty && empty.parentNode) { empty.parentNode.removeChild(empty); }
  }

  var source = new EventSource(src + "?after=" + encodeURIComponent(String(after)));
  source.addEventListener("entry", function (ev) {
    try { append(JSON.parse(ev.data)); } catch (e) { /* ignore a malformed event */ }
  });
  source.addEventListener("state", function (ev) {
    var s;
    try { s = JSON.parse(ev.data); } catch (e) { return; }
    var badge = document.getElementById("iv-state");
    if (badge && s.label) { badge.textContent = s.label; }
    if (s.state !== "live") {
      source.close();
      var note = document.getElementById("iv-live-note");
      if (note) { note.textContent = list.getAttribute("data-ended") || ""; }
    }
  });
  source.addEventListener("reload", function () {
    source.close();
    window.location.reload();
  });
})();
