/* Back-office rich-text editor: a contenteditable area with a tiny toolbar over the
 * body's <textarea>. Without JavaScript the textarea itself is the editor and the form
 * works the same. Pastes (Word, WPS, web pages) go in as the browser gives them; the
 * server sanitises the HTML on save and the page then shows the sanitised result.
 * No network access, no dependencies. */
(function () {
  "use strict";

  // Markup never worth keeping in the editing surface (the server removes it anyway).
  var DROP = "script,style,meta,link,title,iframe,object,embed,form,input,button,select,textarea,xml";

  /* Parses HTML into an inert document and removes active content before it is shown
   * in the editable area (a re-rendered form can carry an unsanitised paste). */
  function tame(html) {
    var doc = new DOMParser().parseFromString("<body>" + html + "</body>", "text/html");
    doc.body.querySelectorAll(DROP).forEach(function (n) { n.remove(); });
    doc.body.querySelectorAll("*").forEach(function (el) {
      Array.prototype.slice.call(el.attributes).forEach(function (a) {
        var name = a.name.toLowerCase();
        var value = (a.value || "").replace(/[\s\u0000-\u001f]/g, "").toLowerCase();
        if (name.indexOf("on") === 0 || name === "style" ||
            ((name === "href" || name === "src") && (value.indexOf("javascript:") === 0 || value.indexOf("vbscript:") === 0))) {
          el.removeAttribute(a.name);
        }
      });
    });
    return doc.body.innerHTML;
  }

  function escapeHtml(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  /* Tab-separated text (a range copied from Excel or WPS as plain text) as a table. */
  function tableFromText(text) {
    var rows = text.replace(/\r/g, "").split("\n").filter(function (r) { return r.length > 0; });
    if (rows.length === 0 || rows.every(function (r) { return r.indexOf("\t") < 0; })) { return null; }
    var html = "<table><tbody>";
    rows.forEach(function (r) {
      html += "<tr>" + r.split("\t").map(function (c) { return "<td>" + escapeHtml(c) + "</td>"; }).join("") + "</tr>";
    });
    return html + "</tbody></table><p><br></p>";
  }

  function button(label, title, action) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "bo-tb";
    b.textContent = label;
    b.title = title;
    b.addEventListener("mousedown", function (e) { e.preventDefault(); });
    b.addEventListener("click", action);
    return b;
  }

  function setup(area) {
    var L = area.dataset;
    var wrap = document.createElement("div");
    wrap.className = "bo-rich";
    var bar = document.createElement("div");
    bar.className = "bo-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", L.lEditor || "");
    var surface = document.createElement("div");
    surface.className = "bo-surface";
    surface.contentEditable = "true";
    surface.setAttribute("role", "textbox");
    surface.setAttribute("aria-multiline", "true");
    surface.setAttribute("aria-label", L.lEditor || "");
    surface.innerHTML = tame(area.value);
    var source = false;

    function exec(cmd, arg) {
      surface.focus();
      document.execCommand(cmd, false, arg);
    }
    function sync() {
      if (!source) { area.value = surface.innerHTML; }
    }

    bar.appendChild(button("B", L.lBold, function () { exec("bold"); }));
    bar.appendChild(button("H2", L.lH2, function () { exec("formatBlock", "<h2>"); }));
    bar.appendChild(button("H3", L.lH3, function () { exec("formatBlock", "<h3>"); }));
    bar.appendChild(button("¶", L.lP, function () { exec("formatBlock", "<p>"); }));
    bar.appendChild(button("•", L.lUl, function () { exec("insertUnorderedList"); }));
    bar.appendChild(button("1.", L.lOl, function () { exec("insertOrderedList"); }));
    bar.appendChild(button("🔗", L.lLink, function () {
      var url = window.prompt(L.lLinkAsk || "URL", "https://");
      if (url && /^(https?:\/\/|\/|mailto:)/i.test(url)) { exec("createLink", url); }
    }));
    bar.appendChild(button("▦", L.lTable, function () {
      var rows = 3, cols = 3, html = "<table><tbody>";
      for (var r = 0; r < rows; r++) {
        html += "<tr>";
        for (var c = 0; c < cols; c++) { html += "<td><br></td>"; }
        html += "</tr>";
      }
      exec("insertHTML", html + "</tbody></table><p><br></p>");
    }));
    bar.appendChild(button("</>", L.lSource, function () {
      // Toggle between the rich surface and the raw HTML in the textarea.
      if (!source) {
        area.value = surface.innerHTML;
        surface.hidden = true;
        area.hidden = false;
      } else {
        surface.innerHTML = tame(area.value);
        area.hidden = true;
        surface.hidden = false;
      }
      source = !source;
    }));

    // Word and WPS put HTML on the clipboard: let the browser paste it. Plain
    // tab-separated text (cells copied as text) becomes a table.
    surface.addEventListener("paste", function (e) {
      var data = e.clipboardData;
      if (!data) { return; }
      var types = Array.prototype.slice.call(data.types || []);
      if (types.indexOf("text/html") >= 0) { return; }
      var table = tableFromText(data.getData("text/plain") || "");
      if (table) {
        e.preventDefault();
        exec("insertHTML", table);
      }
    });
    surface.addEventListener("input", sync);

    area.hidden = true;
    area.parentNode.insertBefore(wrap, area);
    wrap.appendChild(bar);
    wrap.appendChild(surface);
    wrap.appendChild(area);

    var form = area.form;
    if (form) {
      form.addEventListener("submit", function (e) {
        sync();
        var limit = parseInt(L.limit || "0", 10);
        // Rough size of the encoded form: refuse early with the server's own message.
        if (limit > 0 && area.value.length * 1.5 > limit) {
          e.preventDefault();
          window.alert(L.lTooLarge || "");
        }
      });
    }
  }

  function start() {
    document.querySelectorAll("textarea[data-rich]").forEach(setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
